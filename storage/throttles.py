"""Per-sender limits on wrong receipt look-ups (the sender is known only by HMAC)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import SenderThrottle
from storage.upsert import insert_ignore


async def sender_locked_until(*, session: AsyncSession, digest: str, now: datetime) -> datetime | None:
    """When this sender may try again, or None if not locked."""
    row = await session.get(SenderThrottle, digest)
    if row is None or row.locked_until is None or row.locked_until <= now:
        return None
    return row.locked_until


async def record_sender_failure(
    *, session: AsyncSession, digest: str, max_failures: int, lock_until: datetime, now: datetime
) -> None:
    """Count a wrong guess by this sender; lock them when the count reaches `max_failures`."""
    await insert_ignore(session, SenderThrottle, {"digest": digest, "failures": 0,
                                                  "updated_at": now})
    await session.execute(update(SenderThrottle).where(col(SenderThrottle.digest) == digest)
                          .values(failures=col(SenderThrottle.failures) + 1, updated_at=now))
    await session.execute(
        update(SenderThrottle)
        .where(col(SenderThrottle.digest) == digest, col(SenderThrottle.failures) >= max_failures)
        .values(failures=0, locked_until=lock_until)
    )


async def clear_sender_failures(*, session: AsyncSession, digest: str) -> None:
    """Forget a sender's wrong guesses after a right one."""
    await session.execute(update(SenderThrottle).where(col(SenderThrottle.digest) == digest)
                          .values(failures=0))
