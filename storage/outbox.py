"""The durable outbox: messages to people other than the sender, written in the same
transaction as the change that caused them and delivered by a sender task with retries."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import col

from storage.crypto import Keyring, handle_digest, seal_ephemeral, unseal_ephemeral
from storage.models import OutboxItem
from storage.models.outbox import OUTBOX_PAYLOAD, OUTBOX_ROUTE

_last_seq = 0


def _next_seq() -> int:
    """A strictly increasing number in this process (nanoseconds), to keep order per route."""
    global _last_seq  # noqa: PLW0603 - one counter per process is the point
    _last_seq = max(_last_seq + 1, time.time_ns())
    return _last_seq


@dataclass(frozen=True, slots=True)
class PendingMessage:
    """A decrypted outbox row ready to deliver."""

    id: str
    channel: str
    purpose: str
    handle: str
    payload: dict[str, Any]
    ticket_id: str | None
    attempts: int


async def enqueue(
    *, session: AsyncSession, ring: Keyring, channel: str, handle: str, purpose: str,
    payload: dict[str, Any], now: datetime, ticket_id: str | None = None,
) -> str:
    """Queue a message for `handle` on `channel`; returns the outbox id."""
    row = OutboxItem(seq=_next_seq(), channel=channel, purpose=purpose, ticket_id=ticket_id,
                     route_digest=handle_digest(ring, channel, handle), route=b"", payload=b"",
                     created_at=now, next_attempt_at=now)
    row.route = seal_ephemeral(ring, handle.encode(), contract=OUTBOX_ROUTE, row_id=row.id)
    row.payload = seal_ephemeral(ring, json.dumps(payload, ensure_ascii=False).encode(),
                                 contract=OUTBOX_PAYLOAD, row_id=row.id)
    session.add(row)
    await session.flush()
    return row.id


async def due_messages(
    *, session: AsyncSession, ring: Keyring, now: datetime, channels: list[str], limit: int = 100,
) -> list[PendingMessage]:
    """Undelivered messages whose next attempt is due, oldest first; a message waiting for
    its retry holds back the later ones to the same recipient (order per recipient)."""
    earlier = aliased(OutboxItem)
    waiting_before = select(col(earlier.id)).where(
        col(earlier.route_digest) == col(OutboxItem.route_digest),
        col(earlier.channel) == col(OutboxItem.channel), col(earlier.seq) < col(OutboxItem.seq),
        col(earlier.delivered_at).is_(None), col(earlier.failed_at).is_(None),
        col(earlier.next_attempt_at) > now)
    rows = (await session.execute(
        select(OutboxItem).where(
            col(OutboxItem.delivered_at).is_(None), col(OutboxItem.failed_at).is_(None),
            col(OutboxItem.channel).in_(channels),
            or_(col(OutboxItem.next_attempt_at).is_(None), col(OutboxItem.next_attempt_at) <= now),
            ~waiting_before.exists(),
        ).order_by(col(OutboxItem.seq)).limit(limit)
    )).scalars()
    return [PendingMessage(
        id=r.id, channel=r.channel, purpose=r.purpose, ticket_id=r.ticket_id, attempts=r.attempts,
        handle=unseal_ephemeral(ring, r.route, contract=OUTBOX_ROUTE, row_id=r.id).decode(),
        payload=json.loads(unseal_ephemeral(ring, r.payload, contract=OUTBOX_PAYLOAD,
                                            row_id=r.id)),
    ) for r in rows]


async def mark_delivered(*, session: AsyncSession, outbox_id: str, now: datetime) -> None:
    """The platform accepted the message."""
    await session.execute(update(OutboxItem).where(col(OutboxItem.id) == outbox_id)
                          .values(delivered_at=now, attempts=col(OutboxItem.attempts) + 1))


async def mark_retry(
    *, session: AsyncSession, outbox_id: str, now: datetime, delay: timedelta, error: str,
) -> None:
    """Try again after `delay`; `error` is a code (e.g. "429"), never message content."""
    await session.execute(update(OutboxItem).where(col(OutboxItem.id) == outbox_id).values(
        attempts=col(OutboxItem.attempts) + 1, next_attempt_at=now + delay, last_error=error[:64]))


async def mark_failed(*, session: AsyncSession, outbox_id: str, now: datetime, error: str) -> None:
    """Give up on a message (the officer side shows it as not delivered)."""
    await session.execute(update(OutboxItem).where(col(OutboxItem.id) == outbox_id).values(
        attempts=col(OutboxItem.attempts) + 1, failed_at=now, last_error=error[:64]))


def backoff(attempts: int, *, base: float = 2.0, cap: float = 3600.0) -> timedelta:
    """Exponential backoff for the n-th retry, capped at an hour."""
    return timedelta(seconds=min(cap, base ** max(attempts, 0)))
