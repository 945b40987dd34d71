"""The durable outbox: messages to people other than the sender, written in the same
transaction as the change that caused them and delivered by a sender task with retries.

Several workers may send from one database. A sender first **claims** due rows in one write
(`claim_due`): it stamps them with its worker id and a lease (`claimed_until`), and only the
claim holder may mark a row delivered, deferred or failed, which also clears the claim. Nobody
else takes a row while its lease runs, so no row is sent twice — except in one case: a worker
that dies (or stalls past its lease) after the platform accepted a message and before the
"delivered" mark was written. Once the lease has run out another worker sends it again. That
window is one delivery long; closing it would need the platform to deduplicate for us.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import col

from storage.crypto import Keyring, handle_digest, seal_ephemeral, unseal_ephemeral
from storage.db import affected_rows
from storage.models import OutboxItem
from storage.models.outbox import OUTBOX_PAYLOAD, OUTBOX_ROUTE

_last_seq = 0
SENT_IDS_MAX = 256  # the width of outbox.sent_ids


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


def _pending(row: Any) -> list[ColumnElement[bool]]:
    """Neither delivered nor given up."""
    return [col(row.delivered_at).is_(None), col(row.failed_at).is_(None)]


def _due(row: Any, now: datetime, channels: list[str]) -> list[ColumnElement[bool]]:
    """Pending on one of `channels`, with its next attempt due."""
    return [*_pending(row), col(row.channel).in_(channels),
            or_(col(row.next_attempt_at).is_(None), col(row.next_attempt_at) <= now)]


def _unclaimed(row: Any, now: datetime) -> ColumnElement[bool]:
    """Nobody holds a live claim on the row."""
    return or_(col(row.claimed_until).is_(None), col(row.claimed_until) < now)


def _held_back(row: Any, now: datetime, *, claims: bool) -> ColumnElement[bool]:
    """An earlier pending row to the same route waits for its retry (or, with `claims`, is
    being sent by some worker): `row` must not overtake it."""
    earlier = aliased(OutboxItem)
    busy = col(earlier.next_attempt_at) > now
    if claims:
        busy = or_(busy, col(earlier.claimed_until) >= now)
    return select(col(earlier.id)).where(
        col(earlier.route_digest) == col(row.route_digest), col(earlier.channel) == col(row.channel),
        col(earlier.seq) < col(row.seq), *_pending(earlier), busy).exists()


def _pending_message(ring: Keyring, row: Any) -> PendingMessage:
    return PendingMessage(
        id=row.id, channel=row.channel, purpose=row.purpose, ticket_id=row.ticket_id,
        attempts=row.attempts,
        handle=unseal_ephemeral(ring, row.route, contract=OUTBOX_ROUTE, row_id=row.id).decode(),
        payload=json.loads(unseal_ephemeral(ring, row.payload, contract=OUTBOX_PAYLOAD,
                                            row_id=row.id)))


async def due_messages(
    *, session: AsyncSession, ring: Keyring, now: datetime, channels: list[str], limit: int = 100,
) -> list[PendingMessage]:
    """A look at the undelivered messages whose next attempt is due, oldest first, claimed or
    not (tests, tools); a message waiting for its retry holds back later ones to the same
    recipient. Senders use `claim_due`."""
    rows = (await session.execute(
        select(OutboxItem).where(*_due(OutboxItem, now, channels),
                                 ~_held_back(OutboxItem, now, claims=False))
        .order_by(col(OutboxItem.seq)).limit(limit)
    )).scalars()
    return [_pending_message(ring, r) for r in rows]


async def claim_due(
    *, session: AsyncSession, ring: Keyring, now: datetime, channels: list[str], worker: str,
    lease: timedelta, limit: int = 100,
) -> list[PendingMessage]:
    """Claim for `worker` until `now + lease` the due messages nobody holds and return them,
    oldest first. Order per recipient holds across workers: a message waiting for its retry or
    claimed by anyone holds back the later ones to the same route.

    On SQLite the single UPDATE runs under the database's one write lock, so its subquery sees
    every claim. On PostgreSQL the candidates are locked `FOR UPDATE SKIP LOCKED` (two workers
    never take one row), and a candidate is kept only if every earlier pending row to its route
    is a candidate too: an earlier row skipped because another worker is claiming it right now
    holds back the later ones."""
    picked = aliased(OutboxItem)
    free = (*_due(picked, now, channels), _unclaimed(picked, now),
            ~_held_back(picked, now, claims=True))
    claim = update(OutboxItem).values(claimed_by=worker, claimed_until=now + lease)
    if session.get_bind().dialect.name == "postgresql":
        cand = (select(col(picked.id), col(picked.channel), col(picked.route_digest),
                       col(picked.seq)).where(*free).order_by(col(picked.seq)).limit(limit)
                .with_for_update(skip_locked=True, of=picked).cte("cand"))
        earlier = aliased(OutboxItem)
        gap = select(col(earlier.id)).where(
            col(earlier.channel) == cand.c.channel, col(earlier.route_digest) == cand.c.route_digest,
            col(earlier.seq) < cand.c.seq, *_pending(earlier),
            col(earlier.id).not_in(select(cand.c.id).correlate(None)),
        ).correlate(cand)
        claim = claim.where(col(OutboxItem.id) == cand.c.id, ~gap.exists())
    else:
        claim = claim.where(col(OutboxItem.id).in_(
            select(col(picked.id)).where(*free).order_by(col(picked.seq)).limit(limit)))
    rows = (await session.execute(
        claim.returning(col(OutboxItem.id), col(OutboxItem.seq), col(OutboxItem.channel),
                        col(OutboxItem.purpose), col(OutboxItem.ticket_id),
                        col(OutboxItem.attempts), col(OutboxItem.route), col(OutboxItem.payload))
        .execution_options(synchronize_session=False))).all()
    return [_pending_message(ring, r) for r in sorted(rows, key=lambda r: r.seq)]


def _held_by(worker: str | None) -> ColumnElement[bool]:
    """The claim condition of a mark: the holder's own claim, or (no worker) a row nobody
    claimed yet, e.g. one queued in this very transaction."""
    return col(OutboxItem.claimed_by) == worker if worker else col(OutboxItem.claimed_by).is_(None)


async def extend_claims(
    *, session: AsyncSession, ids: Sequence[str], worker: str, now: datetime, lease: timedelta,
) -> set[str]:
    """Renew `worker`'s live claims on `ids` until `now + lease`; returns the ids still held."""
    if not ids:
        return set()
    rows = await session.execute(
        update(OutboxItem).where(col(OutboxItem.id).in_(ids), col(OutboxItem.claimed_by) == worker,
                                 col(OutboxItem.claimed_until) >= now)
        .values(claimed_until=now + lease).returning(col(OutboxItem.id))
        .execution_options(synchronize_session=False))
    return set(rows.scalars())


async def release(*, session: AsyncSession, ids: Sequence[str], worker: str) -> None:
    """Hand back claims that `worker` will not use this round (held back behind a retry)."""
    if ids:
        await session.execute(update(OutboxItem).where(
            col(OutboxItem.id).in_(ids), col(OutboxItem.claimed_by) == worker,
        ).values(claimed_by=None, claimed_until=None))


def _joined_ids(ids: Sequence[int | str]) -> str | None:
    """Message ids as stored, comma-separated; the first ones when they do not all fit."""
    text = ",".join(str(i) for i in ids)
    if len(text) > SENT_IDS_MAX:
        text = text[:SENT_IDS_MAX].rsplit(",", 1)[0]
    return text or None


async def mark_delivered(
    *, session: AsyncSession, outbox_id: str, now: datetime, worker: str | None = None,
    sent_ids: Sequence[int | str] = (),
) -> bool:
    """The platform accepted the message (as `sent_ids`); False when `worker` no longer holds
    the claim (its lease ran out and another worker took the row)."""
    result = await session.execute(
        update(OutboxItem).where(col(OutboxItem.id) == outbox_id, _held_by(worker)).values(
            delivered_at=now, attempts=col(OutboxItem.attempts) + 1, claimed_by=None,
            claimed_until=None, sent_ids=_joined_ids(sent_ids)))
    return affected_rows(result) > 0


async def mark_retry(
    *, session: AsyncSession, outbox_id: str, now: datetime, delay: timedelta, error: str,
    worker: str | None = None,
) -> bool:
    """Try again after `delay`; `error` is a code (e.g. "429"), never message content. False
    when `worker` no longer holds the claim."""
    result = await session.execute(
        update(OutboxItem).where(col(OutboxItem.id) == outbox_id, _held_by(worker)).values(
            attempts=col(OutboxItem.attempts) + 1, next_attempt_at=now + delay,
            last_error=error[:64], claimed_by=None, claimed_until=None))
    return affected_rows(result) > 0


async def mark_failed(
    *, session: AsyncSession, outbox_id: str, now: datetime, error: str, worker: str | None = None,
) -> bool:
    """Give up on a message (the officer side shows it as not delivered). False when `worker`
    no longer holds the claim."""
    result = await session.execute(
        update(OutboxItem).where(col(OutboxItem.id) == outbox_id, _held_by(worker)).values(
            attempts=col(OutboxItem.attempts) + 1, failed_at=now, last_error=error[:64],
            claimed_by=None, claimed_until=None))
    return affected_rows(result) > 0


def backoff(attempts: int, *, base: float = 2.0, cap: float = 3600.0) -> timedelta:
    """Exponential backoff for the n-th retry, capped at an hour."""
    return timedelta(seconds=min(cap, base ** max(attempts, 0)))
