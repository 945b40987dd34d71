"""The flow vocabulary: a flow is a list of steps; each step kind parses its own input and
returns a localised error as a value. The engine owns navigation; branching is `when=`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from handlers.engine.types import Inbound, Option, Outbound

if TYPE_CHECKING:
    from handlers.engine.context import Turn


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


class StepKind(Protocol):
    """What every step offers the engine."""

    id: str
    ask: str
    optional: bool
    when: Callable[[dict[str, Any]], bool] | None
    sensitive: bool
    leak_check: bool

    def options(self, turn: Turn) -> list[Option]:
        """The choices to show (empty for free input)."""

    async def parse(self, turn: Turn, inbound: Inbound) -> Parsed:
        """Turn the input into a value or an error."""

    def show(self, turn: Turn, value: Any) -> str:
        """The value as the reporter reads it in the summary."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a flow's submit handler returns: messages, and optionally the next flow."""

    messages: list[Outbound]
    next_flow: str | None = None
    context: dict[str, Any] = field(default_factory=dict)


Submit = Callable[["Turn"], Awaitable[Outcome]]
DraftUntil = Callable[["Turn"], Awaitable[datetime | None]]


@dataclass(frozen=True)
class Flow:
    """A named, declarative conversation.

    `summary=True` ends the flow with a review of every answer that the reporter confirms or
    edits; `intro` is sent when the flow starts; `menu` puts it in the main menu (label msgid,
    order); `commands` start it by slash command or keyword (e.g. "gratifikasi", "cek").
    A draft lives `draft_ttl_hours` after the last input (None: the setting); with
    `draft_until` it lives until the time that returns (e.g. a legal deadline), never less than
    the setting and never more than `draft_ttl_hours`.
    """

    name: str
    steps: Sequence[StepKind]
    on_submit: Submit
    summary: bool = False
    confirm_notice: str | None = None
    intro: str | None = None
    menu: tuple[str, int] | None = None
    commands: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    requires_context: tuple[str, ...] = ()
    draft_ttl_hours: float | None = None
    draft_until: DraftUntil | None = None

    def __post_init__(self) -> None:
        ids = [s.id for s in self.steps]
        if len(ids) != len(set(ids)):
            raise ValueError(f"flow {self.name}: duplicate step ids")

    def step(self, step_id: str | None) -> StepKind | None:
        """The step with this id, if it belongs to the flow."""
        return next((s for s in self.steps if s.id == step_id), None)

    def applies(self, step: StepKind, draft: dict[str, Any]) -> bool:
        """Whether a step is asked for this draft (its `when` condition)."""
        return step.when is None or bool(step.when(draft))

    def first(self, draft: dict[str, Any]) -> StepKind | None:
        """The first step that applies."""
        return next((s for s in self.steps if self.applies(s, draft)), None)

    def after(self, step_id: str, draft: dict[str, Any]) -> StepKind | None:
        """The next step that applies after `step_id`, or None at the end."""
        ids = [s.id for s in self.steps]
        for nxt in self.steps[ids.index(step_id) + 1 :]:
            if self.applies(nxt, draft):
                return nxt
        return None

    def answered(self, draft: dict[str, Any]) -> list[StepKind]:
        """Steps that apply and are shown in the summary, in order."""
        return [s for s in self.steps if self.applies(s, draft) and not s.sensitive]
