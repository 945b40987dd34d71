"""What a step or submit handler can see and do during one turn of a conversation."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypedDict, TypeVar, cast

from sqlalchemy.ext.asyncio import AsyncSession

from handlers import i18n
from handlers.engine.types import Inbound
from handlers.settings import DomainSettings
from storage.conversations import ConversationState
from storage.crypto import Keyring, SecretHasher
from storage.db import Database

T = TypeVar("T")
Effect = Callable[[AsyncSession], Awaitable[Any]]


class PendingLeak(TypedDict):
    """An answer that looks like personal data, kept aside until the reporter keeps it."""

    step: str
    value: str


class FlowContext(TypedDict, total=False):
    """What a conversation carries besides the answers: kept with it (as JSON) across turns
    and handed from one flow to the next (`Outcome.context`); a new flow starts with it."""

    ticket_id: str  # status: the ticket the reporter unlocked with its code and secret
    until: str  # status: when that unlocked session ends (ISO 8601)
    check: dict[str, Any]  # gift: the check's answers, carried into the report
    pending_leak: PendingLeak  # engine: an answer waiting for "keep" after the warning
    editing: bool  # engine: one answer is being changed from the summary


@dataclass
class Services:
    """Long-lived things the engine hands to every turn."""

    db: Database
    ring: Keyring
    hasher: SecretHasher
    settings: DomainSettings
    clock: Callable[[], datetime]
    poke_outbox: Callable[[], None] = field(default=lambda: None)


class Turn:
    """One input being handled: the conversation, the input, the time, and pending writes.

    Writes are queued with `write()` and committed together with the conversation state, so a
    turn either happens completely or not at all.
    """

    def __init__(self, services: Services, conv: ConversationState, inbound: Inbound,
                 now: datetime) -> None:
        self.services = services
        self.conv = conv
        self.inbound = inbound
        self.now = now
        self.effects: list[Effect] = []

    @property
    def lang(self) -> str:
        """The reporter's language."""
        return self.conv.lang

    @property
    def settings(self) -> DomainSettings:
        """Application settings."""
        return self.services.settings

    @property
    def ring(self) -> Keyring:
        """The keyring."""
        return self.services.ring

    @property
    def draft(self) -> dict[str, Any]:
        """Answers given so far in the current flow."""
        return self.conv.draft

    @property
    def context(self) -> FlowContext:
        """Flow context carried between flows (e.g. the ticket a reporter unlocked)."""
        # storage keeps it as plain JSON; only the engine and the flows write it
        return cast(FlowContext, self.conv.context)

    @property
    def today(self) -> date:
        """Today in the office's time zone."""
        return self.now.astimezone(self.settings.office.tz).date()

    def t(self, key: str, /, **params: Any) -> str:
        """Localised text."""
        return i18n.t(self.lang, key, **params)

    def money(self, amount: int) -> str:
        """Rupiah in the reporter's language."""
        return i18n.money(amount, self.lang)

    def day(self, value: date, *, weekday: bool = False) -> str:
        """A date in words in the reporter's language."""
        return i18n.long_date(value, self.lang, weekday=weekday)

    def write(self, effect: Effect) -> None:
        """Queue a write to commit with this turn."""
        self.effects.append(effect)

    async def read(self, fn: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """Run a read-only query now."""
        return await self.services.db.read(fn)
