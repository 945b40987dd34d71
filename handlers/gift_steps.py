"""Step kinds of the gift flow beyond the core ones: identity numbers and the report type."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from handlers.engine.context import Turn
from handlers.engine.flow import Parsed, Step
from handlers.engine.steps import Choice, typed
from handlers.engine.types import Inbound, Option
from handlers.engine.vocabulary import Nav


@dataclass(frozen=True, kw_only=True)
class Identifier(Step):
    """Typed text turned into a normalised value (NIK, NIP, email, phone) or a clear error.

    No personal-data warning (`leak_check` stays off): these answers *are* identity data."""

    parser: Callable[[str], str | None]
    error: str
    max_len: int = 320

    async def parse(self, turn: Turn, inbound: Inbound) -> Parsed:
        """Normalise the input, or ask again with the field's error message."""
        text = typed(inbound)
        if inbound.attachments and not inbound.text:
            return Parsed.fail("common.error.text_expected")
        if len(text) > self.max_len:
            return Parsed.fail("common.error.too_long", max=self.max_len, length=len(text))
        value = self.parser(text)
        return Parsed(value) if value is not None else Parsed.fail(self.error)


@dataclass(frozen=True, kw_only=True)
class ReportType(Choice):
    """Receipt or refusal, offered right after the check; also "don't report" (cancel).

    Choosing a type copies the check's answers (kept in the flow context) into the draft, so
    the report's summary shows them and the employee can still edit them.
    """

    carried: tuple[str, ...] = ()
    cancel_label: str = "gift.report_type.cancel"

    def options(self, turn: Turn) -> list[Option]:
        """Receipt, refusal, and a way out without reporting."""
        # Nav.CANCEL is handled by the engine before the step: it drops the draft
        return [*Choice.options(self, turn), Option(Nav.CANCEL, turn.t(self.cancel_label))]

    async def parse(self, turn: Turn, inbound: Inbound) -> Parsed:
        """Accept the type and carry the check answers over."""
        parsed = await Choice.parse(self, turn, inbound)
        check = turn.context.get("check")
        if not check:  # started without the check (a forged "menu:gift"): send them to it
            return Parsed.fail("gift.error.no_check")
        if parsed.error is None:
            for key in self.carried:
                if key in check and key not in turn.draft:
                    turn.draft[key] = check[key]
        return parsed
