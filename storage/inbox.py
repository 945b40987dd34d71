"""The durable inbox: store each update (sealed) before acknowledging it; redeliveries are no-ops."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session
from sqlmodel import col

from storage.crypto import Keyring, seal_ephemeral, unseal_ephemeral
from storage.deferred import defer
from storage.models import InboxItem
from storage.models.base import new_id, table_of
from storage.models.inbox import INBOX_PAYLOAD, INBOX_REPLIES
from storage.upsert import insert_ignoring


@dataclass(slots=True)
class Accepted:
    """An update queued by `accept_update`; `inbox_id` is known once the transaction commits
    (None if (channel, external_id) was seen before)."""

    row: dict[str, Any]
    inbox_id: str | None = None


async def accept_update(
    *, session: AsyncSession, ring: Keyring, channel: str, external_id: str, payload: bytes,
    now: datetime,
) -> Accepted:
    """Store an update (sealed), sent with the commit together with every other update of the
    same group commit in one statement; read `inbox_id` once the write has returned."""
    row_id = new_id()
    sealed = seal_ephemeral(ring, payload, contract=INBOX_PAYLOAD, row_id=row_id)
    accepted = Accepted({"id": row_id, "channel": channel, "external_id": external_id,
                         "payload": sealed, "received_at": now})
    defer(session, "inbox.accept", _accept_many, accepted)
    return accepted


def _accept_many(session: Session, items: list[Accepted]) -> None:
    conn = session.connection()
    table = table_of(InboxItem)
    stmt = insert_ignoring(conn.dialect.name, table).returning(table.c.id)
    stored = set(conn.execute(stmt, [item.row for item in items]).scalars())
    for item in items:
        item.inbox_id = item.row["id"] if item.row["id"] in stored else None


async def mark_processed(*, session: AsyncSession, inbox_id: str, now: datetime) -> None:
    """Record that the engine has fully handled this update (sent with the commit, together
    with every other update of the same group commit)."""
    defer(session, "inbox.processed", _mark_many, {"b_id": inbox_id, "b_at": now})


async def record_replies(
    *, session: AsyncSession, ring: Keyring, inbox_id: str, replies: list[dict[str, Any]],
) -> None:
    """Keep the answers to this update (sealed) until the channel has sent them."""
    sealed = seal_ephemeral(ring, json.dumps(replies, ensure_ascii=False).encode(),
                            contract=INBOX_REPLIES, row_id=inbox_id)
    defer(session, "inbox.replies", _replies_many, {"b_id": inbox_id, "b_replies": sealed})


async def stored_replies(
    *, session: AsyncSession, ring: Keyring, inbox_id: str
) -> list[dict[str, Any]] | None:
    """The answers recorded for an update and not yet sent, or None."""
    row = await session.get(InboxItem, inbox_id)
    if row is None or row.replies is None or row.processed_at is not None:
        return None
    return json.loads(unseal_ephemeral(ring, row.replies, contract=INBOX_REPLIES, row_id=inbox_id))


def _replies_many(session: Session, rows: list[dict[str, object]]) -> None:
    table = table_of(InboxItem)
    stmt = (update(table).where(table.c.id == bindparam("b_id"))
            .values(replies=bindparam("b_replies", type_=table.c.replies.type)))
    session.connection().execute(stmt, rows)


def _mark_many(session: Session, rows: list[dict[str, object]]) -> None:
    table = table_of(InboxItem)
    stmt = (update(table).where(table.c.id == bindparam("b_id"))
            .values(processed_at=bindparam("b_at", type_=table.c.processed_at.type),
                    replies=None))
    session.connection().execute(stmt, rows)


async def unprocessed(
    *, session: AsyncSession, ring: Keyring, channel: str, limit: int = 1000
) -> list[tuple[str, bytes]]:
    """Updates stored but not yet handled (after a crash), oldest first, decrypted; dead
    letters (see `mark_failed`) are left out until `requeue` takes them back."""
    rows = (await session.execute(
        select(InboxItem).where(col(InboxItem.channel) == channel, col(InboxItem.processed_at).is_(None),
                                col(InboxItem.failed_at).is_(None))
        .order_by(col(InboxItem.received_at)).limit(limit)
    )).scalars()
    return [(r.id, unseal_ephemeral(ring, r.payload, contract=INBOX_PAYLOAD, row_id=r.id))
            for r in rows]


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """An update whose handling kept failing: what an operator may see (no content)."""

    id: str
    channel: str
    received_at: datetime
    attempts: int
    failed_at: datetime
    last_error: str | None


async def mark_failed(
    *, session: AsyncSession, inbox_id: str, error: str, now: datetime, tries: int = 1,
) -> None:
    """Put the row in the dead-letter state: `tries` more attempts counted, `failed_at` set,
    `last_error` the exception's type name (never its text). Not replayed on start-up."""
    table = table_of(InboxItem)
    await session.execute(update(table).where(table.c.id == inbox_id, table.c.processed_at.is_(None))
                          .values(attempts=table.c.attempts + tries, failed_at=now,
                                  last_error=error[:64]))


async def dead_letters(*, session: AsyncSession, limit: int = 1000) -> list[DeadLetter]:
    """Rows in the dead-letter state (not processed), oldest first."""
    rows = (await session.execute(
        select(InboxItem).where(col(InboxItem.failed_at).is_not(None),
                                col(InboxItem.processed_at).is_(None))
        .order_by(col(InboxItem.received_at)).limit(limit)
    )).scalars()
    return [DeadLetter(r.id, r.channel, r.received_at, r.attempts, r.failed_at, r.last_error)
            for r in rows if r.failed_at is not None]


async def requeue(*, session: AsyncSession, inbox_ids: list[str] | None) -> list[str]:
    """Take dead rows back (all with None): `failed_at` cleared, so they are handled again;
    the ids taken back (unknown, processed or live ids are left alone)."""
    table = table_of(InboxItem)
    where = [table.c.failed_at.is_not(None), table.c.processed_at.is_(None)]
    if inbox_ids is not None:
        where.append(table.c.id.in_(inbox_ids))
    taken = (await session.execute(select(table.c.id).where(*where))).scalars().all()
    if taken:
        await session.execute(update(table).where(table.c.id.in_(taken)).values(failed_at=None))
    return list(taken)


async def load_payload(*, session: AsyncSession, ring: Keyring, inbox_id: str) -> tuple[str, bytes] | None:
    """(channel, decrypted payload) of a row not yet processed, else None."""
    row = await session.get(InboxItem, inbox_id)
    if row is None or row.processed_at is not None:
        return None
    return row.channel, unseal_ephemeral(ring, row.payload, contract=INBOX_PAYLOAD, row_id=row.id)
