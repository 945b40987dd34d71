"""Filing a report from a finished draft: ticket, receipt, files and the team notice,
all committed with the turn. Shared by the complaint and gift flows."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.engine.context import Turn
from handlers.engine.types import Outbound
from handlers.events import REPORTER_MESSAGE, TICKET_NEW, notify_team
from handlers.limits import count_report
from handlers.reporter_notices import desk_name
from storage import tickets
from storage.crypto import new_receipt_secret, new_ticket_code
from storage.drafts import draft_files
from storage.models import Ticket


async def move_draft_files(session: AsyncSession, turn: Turn, ticket: Ticket,
                           message_id: str | None = None) -> None:
    """Re-seal the draft's files under the ticket's data key."""
    for item in await draft_files(session=session, ring=turn.ring, digest=turn.conv.digest):
        await tickets.add_attachment(session=session, ring=turn.ring, ticket=ticket,
                                     name=item.name, content_type=item.content_type,
                                     data=item.data, now=turn.now, message_id=message_id)


async def file_report(
    turn: Turn, *, kind: str, category: str, content: dict[str, Any],
    conflict_of_interest: bool = False,
) -> Outbound:
    """Create the ticket with this turn and return the receipt message (code + secret, once)."""
    code, secret = new_ticket_code(), new_receipt_secret()
    secret_hash = turn.services.hasher.hash(secret, code=code)  # HMAC: microseconds
    route = {"channel": turn.inbound.channel, "handle": turn.inbound.handle}

    async def effect(session: AsyncSession) -> None:
        ticket = await tickets.create_ticket(
            session=session, ring=turn.ring, code=code, kind=kind, category=category,
            channel=turn.inbound.channel, content=content, route=route, secret_hash=secret_hash,
            conflict_of_interest=conflict_of_interest, now=turn.now)
        await move_draft_files(session, turn, ticket)
        await notify_team(session=session, ring=turn.ring, ticket_id=ticket.id, event=TICKET_NEW,
                          now=turn.now)

    turn.write(effect)
    count_report(turn)  # the flows' gate checked the limits just before this submit
    team = desk_name(turn.settings, escalated=conflict_of_interest)
    return Outbound(turn.t("receipt.issued", code=code, secret=secret, team=team),
                    offer_transcript_deletion=True)


def add_reporter_message(turn: Turn, *, ticket_id: str, text: str) -> None:
    """Queue a follow-up from the reporter (text and draft files) into the ticket thread."""

    async def effect(session: AsyncSession) -> None:
        # the ticket row first: the lock order of storage/audit.py
        ticket = await tickets.lock_ticket(session=session, ticket_id=ticket_id)
        if ticket is None:
            return
        message = await tickets.add_message(session=session, ring=turn.ring, ticket=ticket,
                                            author="reporter", text=text, now=turn.now)
        await move_draft_files(session, turn, ticket, message.id)
        await notify_team(session=session, ring=turn.ring, ticket_id=ticket.id,
                          event=REPORTER_MESSAGE, now=turn.now, message_id=message.id)

    turn.write(effect)
