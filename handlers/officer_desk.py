"""What an officer command works with: the action, the desk (services, language, time) and
the result the channel adapter renders."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from handlers import i18n
from handlers.engine.context import Services
from handlers.engine.types import Outbound
from handlers.status import normalise_code
from storage import tickets
from storage.models import Officer, Ticket

Place = Literal["team", "escalation", "dm"]


@dataclass(frozen=True, slots=True)
class OfficerAction:
    """What an officer did: a command with its arguments, or (command None) a reply to relay.

    `ticket_id` is the ticket of the topic or of the replied-to message, if any; `copy` are
    platform references of the officer's files, relayed by copying.
    """

    officer: Officer
    place: Place
    command: str | None = None
    args: str = ""
    ticket_id: str | None = None
    copy: tuple[tuple[int, int], ...] = ()


@dataclass
class DeskResult:
    """Answers for the officer, the ticket they concern, and what happens to its topic."""

    messages: list[Outbound] = field(default_factory=list)
    ticket_id: str | None = None
    topic: Literal["close", "reopen"] | None = None


@dataclass
class Desk:
    """What a command can use: services, the officers' language and the time."""

    services: Services
    now: datetime

    @property
    def lang(self) -> str:
        """Officers read the office's default language."""
        return self.services.settings.office.default_language

    def t(self, key: str, **params: object) -> str:
        """Catalog text in the officers' language; {team} is the team unless `team` is given."""
        params.setdefault("team", self.services.settings.office.team_name)
        return i18n.t(self.lang, key, **params)

    def say(self, key: str, ticket_id: str | None = None, **params: object) -> DeskResult:
        """One answer."""
        return DeskResult([Outbound(self.t(key, **params))], ticket_id)

    async def ticket(self, action: OfficerAction) -> tuple[Ticket | None, str]:
        """The ticket a command is about (a code as first argument wins) and the rest of the
        arguments. A reply to relay (no command) is tied only by its topic or replied-to
        message, never by text. A conflict-of-interest ticket exists only in the escalation
        chat."""
        first, _, rest = action.args.strip().partition(" ")
        code = normalise_code(first) if first and action.command else None
        args = rest.strip() if code else action.args.strip()
        if code is None and action.ticket_id is None:
            return None, args

        async def load(s: AsyncSession) -> Ticket | None:
            if code is not None:
                return await tickets.find_ticket(session=s, code=code)
            return await tickets.get_ticket(session=s, ticket_id=str(action.ticket_id))

        ticket = await self.services.db.read(load)
        if ticket is None or ticket.conflict_of_interest != (action.place == "escalation"):
            return None, args
        return ticket, args


def actor(officer: Officer) -> str:
    """How an officer appears in the audit log: their row id, never a name or platform id."""
    return f"officer:{officer.id}"
