"""Holiday overrides kept by the UPG. Functions take a session and never commit."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.db import affected_rows
from storage.models.holiday import ADD, REMOVE, HolidayOverride

NOTE_MAX = 200


async def list_overrides(
    *, session: AsyncSession, first: date | None = None, last: date | None = None
) -> list[HolidayOverride]:
    """Overrides in date order, optionally only those in [first, last]."""
    query = select(HolidayOverride).order_by(col(HolidayOverride.day))
    if first is not None:
        query = query.where(col(HolidayOverride.day) >= first)
    if last is not None:
        query = query.where(col(HolidayOverride.day) <= last)
    return list((await session.execute(query)).scalars())


async def set_override(
    *, session: AsyncSession, day: date, kind: str, note: str, now: datetime
) -> HolidayOverride:
    """Mark `day` as a holiday (ADD) or a working day (REMOVE), replacing an earlier override."""
    if kind not in (ADD, REMOVE):
        raise ValueError(f"unknown override kind {kind!r}")
    row = await session.get(HolidayOverride, day)
    if row is None:
        row = HolidayOverride(day=day, kind=kind, note=note[:NOTE_MAX], created_at=now)
        session.add(row)
    else:
        row.kind, row.note, row.created_at = kind, note[:NOTE_MAX], now
    await session.flush()
    return row


async def clear_override(*, session: AsyncSession, day: date) -> bool:
    """Forget the override of `day`; True if there was one."""
    result = await session.execute(delete(HolidayOverride).where(col(HolidayOverride.day) == day))
    return bool(affected_rows(result))
