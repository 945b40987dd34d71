"""WhatsApp bookkeeping: the 24-hour window, held outbox messages, delivery receipts.

Functions take a session and never commit. Nothing here holds content or phone numbers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import Conversation, OutboxItem, WhatsAppContact, WhatsAppDelivery

CHANNEL = "whatsapp"
_RANK = {"sent": 0, "delivered": 1, "read": 2}


@dataclass(frozen=True, slots=True)
class Window:
    """When the reporter last wrote, and whether the update template went out since."""

    last_inbound_at: datetime | None = None
    template_sent_at: datetime | None = None

    @property
    def template_pending(self) -> bool:
        """True when no template was sent since the reporter last wrote."""
        if self.template_sent_at is None:
            return True
        return self.last_inbound_at is not None and self.template_sent_at < self.last_inbound_at


@dataclass(frozen=True, slots=True)
class FailedDelivery:
    """A message to a reporter that WhatsApp could not deliver (for the officer side)."""

    ticket_id: str
    error_code: int | None
    at: datetime


async def _contact(session: AsyncSession, digest: str, now: datetime) -> WhatsAppContact:
    row = await session.get(WhatsAppContact, digest)
    if row is None:
        row = WhatsAppContact(digest=digest, updated_at=now)
        session.add(row)
    return row


async def record_inbound(
    *, session: AsyncSession, digest: str, sent_at: datetime, now: datetime
) -> tuple[str, ...]:
    """The reporter wrote: open the window, release held messages; returns numbered options."""
    row = await _contact(session, digest, now)
    if row.last_inbound_at is None or row.last_inbound_at < sent_at:
        row.last_inbound_at = sent_at
    row.updated_at = now
    await session.execute(
        update(OutboxItem)
        .where(
            col(OutboxItem.channel) == CHANNEL,
            col(OutboxItem.route_digest) == digest,
            col(OutboxItem.delivered_at).is_(None),
            col(OutboxItem.failed_at).is_(None),
            col(OutboxItem.next_attempt_at) > now,
        )
        .values(next_attempt_at=now)
    )
    return tuple(json.loads(row.numbered))


async def remember_numbered(
    *, session: AsyncSession, digest: str, option_ids: tuple[str, ...], now: datetime
) -> None:
    """Remember the option ids last shown as numbered text (empty to forget them)."""
    row = await _contact(session, digest, now)
    row.numbered = json.dumps(list(option_ids))
    row.updated_at = now


async def window(*, session: AsyncSession, digest: str) -> Window:
    """The reporter's customer-service window."""
    row = await session.get(WhatsAppContact, digest)
    return Window() if row is None else Window(row.last_inbound_at, row.template_sent_at)


async def record_template_sent(*, session: AsyncSession, digest: str, now: datetime) -> None:
    """The update template went out; it is not sent again until the reporter writes."""
    row = await _contact(session, digest, now)
    row.template_sent_at = now
    row.updated_at = now


async def _fail_outbox(session: AsyncSession, row: WhatsAppDelivery, now: datetime) -> bool:
    """Mark the outbox message behind a failed receipt as failed; True if there was one."""
    if row.outbox_id is None:
        return False
    error = f"whatsapp {row.error_code}" if row.error_code else "whatsapp failed"
    await session.execute(update(OutboxItem).where(col(OutboxItem.id) == row.outbox_id)
                          .values(failed_at=now, last_error=error))
    return True


async def record_sent(
    *, session: AsyncSession, wamids: list[str], outbox_id: str, ticket_id: str | None,
    purpose: str, now: datetime,
) -> bool:
    """Tie sent messages to their outbox row; True if a receipt had already said "failed".

    Meta's receipts can arrive before this write commits, hence the update of an existing row.
    """
    failed = False
    for wamid in filter(None, wamids):
        row = await session.get(WhatsAppDelivery, wamid)
        if row is None:
            session.add(WhatsAppDelivery(wamid=wamid, outbox_id=outbox_id, ticket_id=ticket_id,
                                         purpose=purpose, sent_at=now, updated_at=now))
            continue
        row.outbox_id, row.ticket_id, row.purpose = outbox_id, ticket_id, purpose
        if row.status == "failed":
            failed = await _fail_outbox(session, row, now) or failed
    return failed


async def record_status(
    *, session: AsyncSession, wamid: str, status: str, error_code: int | None, now: datetime
) -> bool:
    """Store a receipt; True when an outbox message has just failed (its row is marked)."""
    row = await session.get(WhatsAppDelivery, wamid)
    if row is None:
        if status == "failed":  # receipts of plain replies are not kept, failures are
            session.add(WhatsAppDelivery(wamid=wamid, status=status, error_code=error_code,
                                         sent_at=now, updated_at=now))
        return False
    if row.status == "failed":
        return False  # Meta redelivers webhooks; a failure is recorded once
    if status == "failed":
        row.status, row.error_code, row.updated_at = status, error_code, now
        return await _fail_outbox(session, row, now)
    if _RANK.get(status, -1) > _RANK.get(row.status, -1):
        row.status, row.updated_at = status[:16], now
    return False


async def failed_deliveries(
    *, session: AsyncSession, since: datetime | None = None, ticket_id: str | None = None
) -> list[FailedDelivery]:
    """Messages to reporters WhatsApp could not deliver, newest first (officer side shows them)."""
    query = select(WhatsAppDelivery).where(
        col(WhatsAppDelivery.status) == "failed", col(WhatsAppDelivery.ticket_id).is_not(None)
    )
    if since is not None:
        query = query.where(col(WhatsAppDelivery.updated_at) >= since)
    if ticket_id is not None:
        query = query.where(col(WhatsAppDelivery.ticket_id) == ticket_id)
    rows = (await session.execute(query.order_by(col(WhatsAppDelivery.updated_at).desc()))).scalars()
    return [FailedDelivery(str(r.ticket_id), r.error_code, r.updated_at) for r in rows]


async def reporter_language(*, session: AsyncSession, digest: str) -> str | None:
    """The language of this reporter's conversation, if there is one."""
    query = select(col(Conversation.lang)).where(col(Conversation.digest) == digest)
    return (await session.execute(query)).scalar_one_or_none()
