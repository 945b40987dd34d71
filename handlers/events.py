"""Telling the team: content-free notices queued in the outbox for the officers' channel."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from storage import outbox
from storage.crypto import Keyring

TEAM_CHANNEL = "team"
TICKET_NEW = "team:ticket_new"
REPORTER_MESSAGE = "team:reporter_message"


async def notify_team(
    *, session: AsyncSession, ring: Keyring, ticket_id: str, event: str, now: datetime,
    message_id: str | None = None,
) -> None:
    """Queue an event for the officer side; it carries ids only, never content."""
    await outbox.enqueue(session=session, ring=ring, channel=TEAM_CHANNEL, handle=TEAM_CHANNEL,
                         purpose=event, payload={"ticket_id": ticket_id, "message_id": message_id},
                         now=now, ticket_id=ticket_id)
