"""Counters of wrong receipt look-ups, kept by HMAC: one per sender (`handle_digest`) and one
per Kode Laporan (`code_digest`, for codes that exist and codes that do not alike), so
neither the counters nor their effects tell whether a code exists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.crypto import Keyring, handle_digest
from storage.db import affected_rows
from storage.models import SenderThrottle, Ticket
from storage.upsert import insert_ignore

# Wrong guesses are forgotten after this long without another one.
FORGET_AFTER = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Standing:
    """Recent wrong guesses of one sender or on one code, and until when it must wait."""

    failures: int = 0
    wait_until: datetime | None = None


def code_digest(ring: Keyring, code: str) -> str:
    """HMAC-SHA256(pepper, "receipt-code:" + code), hex: the counter key of a Kode Laporan."""
    return handle_digest(ring, "receipt-code", code)


async def standing(*, session: AsyncSession, digest: str, now: datetime) -> Standing:
    """The recent wrong guesses under this digest and the wait still running, if any."""
    row = await session.get(SenderThrottle, digest)
    if row is None or row.updated_at <= now - FORGET_AFTER:
        return Standing()
    waiting = row.locked_until if row.locked_until and row.locked_until > now else None
    return Standing(row.failures, waiting)


async def record_failure(*, session: AsyncSession, digest: str, now: datetime) -> int:
    """Count one more wrong guess (starting again from one after a quiet day); returns the count."""
    await insert_ignore(session, SenderThrottle, {"digest": digest, "failures": 0,
                                                  "updated_at": now})
    stale = col(SenderThrottle.updated_at) <= now - FORGET_AFTER
    await session.execute(
        update(SenderThrottle).where(col(SenderThrottle.digest) == digest)
        .values(failures=case((stale, 1), else_=col(SenderThrottle.failures) + 1), updated_at=now))
    row = await session.get(SenderThrottle, digest, populate_existing=True)
    return row.failures if row is not None else 1


async def wait_until(*, session: AsyncSession, digest: str, until: datetime) -> None:
    """No further look-up under this digest before `until` (a later wait is never shortened)."""
    await session.execute(
        update(SenderThrottle).where(col(SenderThrottle.digest) == digest)
        .values(locked_until=case((col(SenderThrottle.locked_until) > until,
                                   col(SenderThrottle.locked_until)), else_=until)))


# -- limits on new reports (handlers/limits.py): the same table, under their own digests -------
# A window counter keeps its count in `failures` and the end of its window in `locked_until`.
async def window_count(*, session: AsyncSession, digest: str, now: datetime) -> int:
    """How many times this digest was counted in its current window (0 when none runs)."""
    row = await session.get(SenderThrottle, digest)
    if row is None or row.locked_until is None or row.locked_until <= now:
        return 0
    return row.failures


async def count_in_window(*, session: AsyncSession, digest: str, now: datetime,
                          window: timedelta) -> None:
    """Count once more under this digest; a new window of `window` starts after the last ended."""
    await insert_ignore(session, SenderThrottle, {"digest": digest, "failures": 0,
                                                  "locked_until": now + window, "updated_at": now})
    over = or_(col(SenderThrottle.locked_until).is_(None), col(SenderThrottle.locked_until) <= now)
    await session.execute(
        update(SenderThrottle).where(col(SenderThrottle.digest) == digest)
        .values(failures=case((over, 1), else_=col(SenderThrottle.failures) + 1),
                locked_until=case((over, now + window), else_=col(SenderThrottle.locked_until)),
                updated_at=now))


async def claim_once(*, session: AsyncSession, digest: str, now: datetime, every: timedelta) -> bool:
    """True for the one caller per `every` under this digest (a compare-and-set across workers)."""
    await insert_ignore(session, SenderThrottle, {"digest": digest, "failures": 0,
                                                  "locked_until": None, "updated_at": now})
    result = await session.execute(
        update(SenderThrottle).where(
            col(SenderThrottle.digest) == digest,
            or_(col(SenderThrottle.locked_until).is_(None), col(SenderThrottle.locked_until) <= now))
        .values(failures=col(SenderThrottle.failures) + 1, locked_until=now + every, updated_at=now))
    return affected_rows(result) == 1


async def reports_since(*, session: AsyncSession, since: datetime) -> int:
    """Reports (tickets of every kind) filed after `since`."""
    query = select(func.count()).select_from(Ticket).where(col(Ticket.created_at) > since)
    return int((await session.execute(query)).scalar_one())
