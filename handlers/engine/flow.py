"""The flow vocabulary: a flow is a list of steps; each step kind parses its own input and
returns a localised error as a value. The engine owns navigation; branching is `when=`."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import KW_ONLY, dataclass, field
from datetime import datetime
from typing import Any

from handlers.engine.commands import starting
from handlers.engine.context import FlowContext, Turn
from handlers.engine.types import Inbound, Option, Outbound

#: Whether a step is asked, given the answers so far (`Step.when`).
Condition = Callable[[dict[str, Any]], bool]


@dataclass(frozen=True, slots=True)
class Parsed:
    """What a step made of an input: a value, or an error msgid with its parameters.

    `done=False` keeps the reporter on the step (e.g. more files may follow) and `note` is
    then the msgid of the acknowledgement to send.
    """

    value: Any = None
    error: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    done: bool = True
    note: str | None = None

    @classmethod
    def fail(cls, error: str, **params: Any) -> Parsed:
        """An error to show before asking again."""
        return cls(error=error, params=params)


@dataclass(frozen=True)
class Step(ABC):
    """What every step kind has; a kind adds its own fields and parses its own input.

    `ask` is the question's msgid; `optional` offers "skip"; `when` asks the step only for
    drafts it returns True for; `sensitive` keeps the answer out of the summary; `leak_check`
    warns before keeping an answer that looks like personal data (a NIK, a phone number).
    """

    id: str
    _: KW_ONLY
    ask: str
    optional: bool = False
    when: Condition | None = None
    sensitive: bool = False
    leak_check: bool = False

    def options(self, turn: Turn) -> list[Option]:
        """The choices to show (none: the answer is typed)."""
        return []

    @abstractmethod
    async def parse(self, turn: Turn, inbound: Inbound) -> Parsed:
        """Turn the input into a value or an error."""

    def show(self, turn: Turn, value: Any) -> str:
        """The value as the reporter reads it in the summary."""
        return str(value) if value else "-"


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a flow's submit handler returns: messages, and optionally the next flow."""

    messages: list[Outbound]
    next_flow: str | None = None
    context: FlowContext = field(default_factory=FlowContext)


Submit = Callable[[Turn], Awaitable[Outcome]]
DraftUntil = Callable[[Turn], Awaitable[datetime | None]]
#: Whether the reporter may use a flow now: None, or the msgid of why not (e.g. a rate limit).
Gate = Callable[[Turn], Awaitable[str | None]]


@dataclass(frozen=True)
class Flow:
    """A named, declarative conversation.

    `summary=True` ends the flow with a review of every answer that the reporter confirms or
    edits; `intro` is sent when the flow starts; `menu` puts it in the main menu (label msgid,
    order); `keywords` start it when typed at the menu (e.g. "cek"); slash commands that start
    it are in the one command table (`handlers.engine.commands`).
    A draft lives `draft_ttl_hours` after the last input (None: the setting); with
    `draft_until` it lives until the time that returns (e.g. a legal deadline), never less than
    the setting and never more than `draft_ttl_hours`.
    `gate` is asked before the flow starts and again before it is submitted; a refusal at
    submit keeps the draft (until it expires) so the reporter can submit it later.
    """

    name: str
    steps: Sequence[Step]
    on_submit: Submit
    summary: bool = False
    confirm_notice: str | None = None
    intro: str | None = None
    menu: tuple[str, int] | None = None
    keywords: tuple[str, ...] = ()
    requires_context: tuple[str, ...] = ()
    draft_ttl_hours: float | None = None
    draft_until: DraftUntil | None = None
    gate: Gate | None = None

    def __post_init__(self) -> None:
        ids = [s.id for s in self.steps]
        if len(ids) != len(set(ids)):
            raise ValueError(f"flow {self.name}: duplicate step ids")

    @property
    def commands(self) -> tuple[str, ...]:
        """The slash commands that start this flow (from the one command table)."""
        return starting(self.name)

    def step(self, step_id: str | None) -> Step | None:
        """The step with this id, if it belongs to the flow."""
        return next((s for s in self.steps if s.id == step_id), None)

    def applies(self, step: Step, draft: dict[str, Any]) -> bool:
        """Whether a step is asked for this draft (its `when` condition)."""
        return step.when is None or bool(step.when(draft))

    def first(self, draft: dict[str, Any]) -> Step | None:
        """The first step that applies."""
        return next((s for s in self.steps if self.applies(s, draft)), None)

    def after(self, step_id: str, draft: dict[str, Any]) -> Step | None:
        """The next step that applies after `step_id`, or None at the end."""
        ids = [s.id for s in self.steps]
        for nxt in self.steps[ids.index(step_id) + 1 :]:
            if self.applies(nxt, draft):
                return nxt
        return None

    def answered(self, draft: dict[str, Any]) -> list[Step]:
        """Steps that apply and are shown in the summary, in order."""
        return [s for s in self.steps if self.applies(s, draft) and not s.sensitive]
