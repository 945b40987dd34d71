"""Marking a channel update's inbox row processed: the one place the adapters do it.

A row is marked only once the update is handled and its replies are sent (or handed to the
outbox), so a crash before that replays the update on start-up. Either inside the write that
records the sent replies (`mark_done_in`), or in a write of its own (`mark_done`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from storage.inbox import mark_processed


async def mark_done_in(session: AsyncSession, inbox_id: str | None, now: datetime) -> None:
    """Mark the row `inbox_id` processed in the caller's write (no-op for None)."""
    if inbox_id is not None:
        await mark_processed(session=session, inbox_id=inbox_id, now=now)


async def mark_done(app: App, inbox_id: str | None) -> None:
    """Mark the row `inbox_id` processed in a write of its own (no-op for None)."""
    if inbox_id is not None:
        now = app.services.clock()
        await app.db.write(lambda s: mark_done_in(s, inbox_id, now))
