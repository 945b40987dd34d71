"""Step kinds: choice, free text, date, money and attachments. Each owns its parsing."""

from __future__ import annotations

import mimetypes
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.engine.context import Effect, Turn
from handlers.engine.flow import Parsed, Step
from handlers.engine.parsing import parse_date, parse_money
from handlers.engine.types import Inbound, Option
from handlers.engine.vocabulary import Nav
from storage.drafts import add_draft_file
from storage.models.base import new_id

Validator = Callable[[str], str | None]

DONE_WORDS = {"selesai", "done", "cukup", "sudah"}


def typed(inbound: Inbound) -> str:
    """The input as text (typed text, or the id of a chosen option)."""
    return (inbound.text or inbound.option or "").strip()


@dataclass(frozen=True, kw_only=True)
class Choice(Step):
    """Pick one of fixed options; labels are msgids `{labels}.{option}`."""

    choices: tuple[str, ...]
    labels: str

    def options(self, turn: Turn) -> list[Option]:
        """One option per choice, localised."""
        return [Option(c, turn.t(f"{self.labels}.{c}")) for c in self.choices]

    async def parse(self, turn: Turn, inbound: Inbound) -> Parsed:
        """Accept the option id, its number, or its label typed out."""
        if inbound.option in self.choices:
            return Parsed(inbound.option)
        text = typed(inbound).lower()
        if text.isdigit() and 1 <= int(text) <= len(self.choices):
            return Parsed(self.choices[int(text) - 1])
        for option in self.options(turn):
            if text and text == option.label.lower():
                return Parsed(option.id)
        return Parsed.fail("common.error.choice", count=len(self.choices))

    def show(self, turn: Turn, value: Any) -> str:
        """The chosen label."""
        return turn.t(f"{self.labels}.{value}") if value in self.choices else "-"


@dataclass(frozen=True, kw_only=True)
class Text(Step):
    """Free text within length limits, with an optional extra validator."""

    min_len: int = 1
    max_len: int = 2000
    validate: Validator | None = None
    leak_check: bool = True

    async def parse(self, turn: Turn, inbound: Inbound) -> Parsed:
        """Check length and the validator; reject files where text is expected."""
        if inbound.attachments and not inbound.text:
            return Parsed.fail("common.error.text_expected")
        text = typed(inbound)
        text = "".join(ch for ch in text if ch.isprintable() or ch in "\n\t")
        if len(text) < self.min_len:
            return Parsed.fail("common.error.too_short", min=self.min_len)
        if len(text) > self.max_len:
            return Parsed.fail("common.error.too_long", max=self.max_len, length=len(text))
        if self.validate and (error := self.validate(text)):
            return Parsed.fail(error)
        return Parsed(text)


@dataclass(frozen=True, kw_only=True)
class Date(Step):
    """A date in words or numbers; never in the future, optionally not too old."""

    not_future: bool = True
    max_age_days: int | None = 3650

    def options(self, turn: Turn) -> list[Option]:
        """Quick answers for the most common dates."""
        return [Option("today", turn.t("common.date.today")),
                Option("yesterday", turn.t("common.date.yesterday"))]

    async def parse(self, turn: Turn, inbound: Inbound) -> Parsed:
        """Read the date relative to today in the office's time zone."""
        today = turn.today
        shortcuts = {"today": today, "yesterday": today - timedelta(days=1)}
        day = shortcuts.get(inbound.option or "") or parse_date(typed(inbound)[:64], today=today)
        if day is None:
            return Parsed.fail("common.error.date")
        if self.not_future and day > today:
            return Parsed.fail("common.error.date_future")
        if self.max_age_days is not None and (today - day).days > self.max_age_days:
            return Parsed.fail("common.error.date_old")
        return Parsed(day.isoformat())

    def show(self, turn: Turn, value: Any) -> str:
        """The date in words."""
        return turn.day(date.fromisoformat(value)) if value else "-"


@dataclass(frozen=True, kw_only=True)
class Money(Step):
    """A rupiah amount ("Rp 500.000", "500rb", "1,5 juta")."""

    maximum: int = 10**15

    async def parse(self, turn: Turn, inbound: Inbound) -> Parsed:
        """Read the amount; refuse negative, unreadable or absurd values."""
        amount = parse_money(typed(inbound))
        if amount is None:
            return Parsed.fail("common.error.money")
        if amount > self.maximum:
            return Parsed.fail("common.error.money_too_large")
        return Parsed(amount)

    def show(self, turn: Turn, value: Any) -> str:
        """Rp1.500.000."""
        return turn.money(int(value)) if value is not None else "-"


@dataclass(frozen=True, kw_only=True)
class Attachments(Step):
    """Files, one or more messages; "Selesai" ends the step. Limits come from settings.

    Only navigation (done, skip) is offered as options."""

    allowed: tuple[str, ...] = ("image/jpeg", "image/png", "image/webp", "application/pdf",
                                "audio/ogg", "audio/mpeg", "audio/mp4", "video/mp4")
    optional: bool = True
    done_words: frozenset[str] = field(default_factory=lambda: frozenset(DONE_WORDS))

    async def parse(self, turn: Turn, inbound: Inbound) -> Parsed:
        """Keep each valid file in the draft; finish on "Selesai"."""
        files: list[dict[str, Any]] = list(turn.draft.get(self.id) or [])
        if not inbound.attachments:
            if inbound.option == Nav.DONE or typed(inbound).lower() in self.done_words:
                return Parsed(files) if files else Parsed.fail("common.error.no_files")
            return Parsed.fail("common.error.file_expected")
        limit = int(turn.settings.conversations.max_attachment_mb * 1024 * 1024)
        for item in inbound.attachments:
            if item.content_type not in self.allowed:
                return Parsed.fail("common.error.file_type")
            if len(item.data) > limit:
                return Parsed.fail("common.error.file_size",
                                   mb=int(turn.settings.conversations.max_attachment_mb))
            if len(files) >= turn.settings.conversations.max_attachments_per_report:
                return Parsed.fail("common.error.file_count",
                                   max=turn.settings.conversations.max_attachments_per_report)
            file_id = new_id()
            name = item.filename or f"lampiran{mimetypes.guess_extension(item.content_type) or ''}"
            files.append({"id": file_id, "name": name[:128], "type": item.content_type,
                          "size": len(item.data)})
            turn.write(_keep_file(turn, file_id, name[:128], item.content_type, item.data))
        return Parsed(files, done=False, note="common.files.received", params={"count": len(files)})

    def show(self, turn: Turn, value: Any) -> str:
        """The number of files."""
        return turn.t("common.files.count", count=len(value)) if value else "-"


def _keep_file(turn: Turn, file_id: str, name: str, content_type: str, data: bytes) -> Effect:
    async def effect(session: AsyncSession) -> None:
        await add_draft_file(session=session, ring=turn.ring, digest=turn.conv.digest,
                             file_id=file_id, name=name, content_type=content_type, data=data,
                             now=turn.now)
    return effect
