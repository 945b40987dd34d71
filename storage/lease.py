"""A lease row that makes exactly one worker the scheduler; it lapses when the holder dies.

Works the same on SQLite and PostgreSQL (an advisory lock would be tied to one pooled
connection). Functions take a session and never commit.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, or_, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.db import affected_rows
from storage.models import SchedulerLease
from storage.upsert import insert_ignore


async def acquire(
    *, session: AsyncSession, name: str, holder: str, now: datetime, ttl: timedelta
) -> bool:
    """Take or renew the lease `name` for `holder` until now + ttl; False if someone else holds it."""
    if await insert_ignore(session, SchedulerLease,
                           {"name": name, "holder": holder, "expires_at": now + ttl}):
        return True
    result = await session.execute(
        update(SchedulerLease)
        .where(col(SchedulerLease.name) == name,
               or_(col(SchedulerLease.holder) == holder, col(SchedulerLease.expires_at) <= now))
        .values(holder=holder, expires_at=now + ttl)
    )
    return affected_rows(result) == 1


async def release(*, session: AsyncSession, name: str, holder: str) -> None:
    """Give the lease up (clean shutdown) so another worker need not wait for it to lapse."""
    await session.execute(delete(SchedulerLease).where(col(SchedulerLease.name) == name,
                                                       col(SchedulerLease.holder) == holder))
