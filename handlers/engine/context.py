"""What a step or submit handler can see and do during one turn of a conversation."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from handlers import i18n
from handlers.engine.types import Inbound
from handlers.settings import DomainSettings
from storage.conversations import ConversationState
from storage.crypto import Keyring, SecretHasher
from storage.db import Database

T = TypeVar("T")
Effect = Callable[[AsyncSession], Awaitable[Any]]


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
    def context(self) -> dict[str, Any]:
        """Flow context carried between flows (e.g. the ticket a reporter unlocked)."""
        return self.conv.context

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
