"""Retention: closed tickets are destroyed after the retention period, delivered inbox and
outbox rows after a grace period. Functions take a session and never commit.

A ticket is purged by crypto-shredding: its wrapped data key is deleted, so any copy of its
ciphertext left behind (backups, dead PostgreSQL tuples, WAL) can no longer be read; then its
rows are deleted, together with every row of any table that refers to it by `ticket_id`
(thread, attachments, officer-side rows, queued notices, reminders). The audit log refers to
tickets by code and is append-only, so it stays.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy import Table, delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel, col

from storage.db import affected_rows
from storage.models import DataKey, InboxItem, OutboxItem, Ticket


def _tables_referring_to_tickets() -> list[Table]:
    """Every table with a `ticket_id` column (children first, as the metadata sorts them)."""
    return [table for table in reversed(SQLModel.metadata.sorted_tables)
            if "ticket_id" in table.c and table.name != Ticket.__tablename__]


async def purge_closed_tickets(
    *, session: AsyncSession, closed_before: datetime, limit: int = 500,
) -> Counter[str]:
    """Destroy up to `limit` tickets closed before `closed_before`; counts per table."""
    rows = (await session.execute(
        select(col(Ticket.id), col(Ticket.data_key_id))
        .where(col(Ticket.closed_at).is_not(None), col(Ticket.closed_at) < closed_before)
        .order_by(col(Ticket.closed_at)).limit(limit))).all()
    counts: Counter[str] = Counter()
    if not rows:
        return counts
    ticket_ids = [r.id for r in rows]
    key_ids = [r.data_key_id for r in rows]
    for table in _tables_referring_to_tickets():
        result = await session.execute(delete(table).where(table.c.ticket_id.in_(ticket_ids)))
        if removed := affected_rows(result):
            counts[table.name] += removed
    counts["ticket"] = affected_rows(await session.execute(
        delete(Ticket).where(col(Ticket.id).in_(ticket_ids))))
    counts["data_key"] = affected_rows(await session.execute(
        delete(DataKey).where(col(DataKey.id).in_(key_ids))))
    return counts


async def prune_inbox(*, session: AsyncSession, processed_before: datetime) -> int:
    """Delete inbox rows handled before `processed_before`; returns how many."""
    result = await session.execute(delete(InboxItem).where(
        col(InboxItem.processed_at).is_not(None), col(InboxItem.processed_at) < processed_before))
    return affected_rows(result)


async def prune_outbox(*, session: AsyncSession, finished_before: datetime) -> int:
    """Delete outbox rows delivered or given up before `finished_before`; returns how many."""
    delivered = await session.execute(delete(OutboxItem).where(
        col(OutboxItem.delivered_at).is_not(None), col(OutboxItem.delivered_at) < finished_before))
    failed = await session.execute(delete(OutboxItem).where(
        col(OutboxItem.failed_at).is_not(None), col(OutboxItem.failed_at) < finished_before))
    return affected_rows(delivered) + affected_rows(failed)


async def prune_orphans(*, session: AsyncSession) -> int:
    """Delete rows that point at outbox messages which no longer exist (e.g. failure alerts)."""
    removed = 0
    for table in SQLModel.metadata.sorted_tables:
        if "outbox_id" in table.c and table.name != OutboxItem.__tablename__:
            result = await session.execute(delete(table).where(
                table.c.outbox_id.not_in(select(col(OutboxItem.id)))))
            removed += affected_rows(result)
    return removed
