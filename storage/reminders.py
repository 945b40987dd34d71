"""Gift reminders: scheduled when the reporter agrees, dropped when the draft ends; the
scheduler sends the due ones. Functions take a session and never commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ColumnElement
from sqlmodel import col

from storage.crypto import Keyring, seal_ephemeral, unseal_ephemeral
from storage.db import affected_rows
from storage.models import Conversation, GiftReminder
from storage.models.reminder import GIFT_REMINDER_ROUTE


@dataclass(frozen=True, slots=True)
class DueReminder:
    """A reminder to send now: where to, in which language, about which deadline."""

    digest: str
    channel: str
    handle: str
    lang: str
    deadline: date


async def schedule_gift_reminder(
    *, session: AsyncSession, ring: Keyring, digest: str, channel: str, handle: str,
    deadline: date, first_due_at: datetime | None, final_due_at: datetime | None,
) -> None:
    """(Re)schedule the reminders of this conversation's draft; the handle is sealed."""
    await cancel_gift_reminder(session=session, digest=digest)
    session.add(GiftReminder(
        digest=digest, channel=channel, deadline=deadline, first_due_at=first_due_at,
        final_due_at=final_due_at,
        route=seal_ephemeral(ring, handle.encode(), contract=GIFT_REMINDER_ROUTE, row_id=digest)))
    await session.flush()


async def cancel_gift_reminder(*, session: AsyncSession, digest: str) -> None:
    """Forget the reminders of this conversation (declined, submitted or a new draft)."""
    await session.execute(delete(GiftReminder).where(col(GiftReminder.digest) == digest))


def _due(now: datetime) -> ColumnElement[bool]:
    return or_(and_(col(GiftReminder.first_due_at) <= now, col(GiftReminder.first_sent_at).is_(None)),
               and_(col(GiftReminder.final_due_at) <= now, col(GiftReminder.final_sent_at).is_(None)))


async def due_gift_reminders(
    *, session: AsyncSession, ring: Keyring, now: datetime, flows: tuple[str, ...],
    limit: int = 200,
) -> list[DueReminder]:
    """Reminders due by `now` whose conversation is still in one of `flows`."""
    rows = await session.execute(
        select(GiftReminder, col(Conversation.lang))
        .join(Conversation, col(Conversation.digest) == col(GiftReminder.digest))
        .where(_due(now), col(Conversation.flow).in_(flows))
        .order_by(col(GiftReminder.digest)).limit(limit))
    return [DueReminder(
        digest=r.digest, channel=r.channel, lang=lang, deadline=r.deadline,
        handle=unseal_ephemeral(ring, r.route, contract=GIFT_REMINDER_ROUTE,
                                row_id=r.digest).decode(),
    ) for r, lang in rows]


async def mark_gift_reminder_sent(*, session: AsyncSession, digest: str, now: datetime) -> bool:
    """Mark every reminder of this conversation due by `now` as sent; False if another worker
    already did (so each due reminder is queued once)."""
    done = 0
    for due, sent in ((col(GiftReminder.first_due_at), col(GiftReminder.first_sent_at)),
                      (col(GiftReminder.final_due_at), col(GiftReminder.final_sent_at))):
        result = await session.execute(
            update(GiftReminder).where(col(GiftReminder.digest) == digest, due <= now, sent.is_(None))
            .values({sent: now}))
        done += affected_rows(result)
    return done > 0


async def drop_stale_gift_reminders(*, session: AsyncSession, flows: tuple[str, ...]) -> int:
    """Delete reminders whose draft is gone (conversation not in `flows`) or that are all
    sent or past; returns how many."""
    live = select(col(Conversation.digest)).where(col(Conversation.flow).in_(flows))
    pending = or_(
        and_(col(GiftReminder.first_due_at).is_not(None), col(GiftReminder.first_sent_at).is_(None)),
        and_(col(GiftReminder.final_due_at).is_not(None), col(GiftReminder.final_sent_at).is_(None)))
    result = await session.execute(
        delete(GiftReminder).where(or_(col(GiftReminder.digest).not_in(live), ~pending)))
    return affected_rows(result)
