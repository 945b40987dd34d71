"""Marking a channel update's inbox row: the one place the adapters do it.

A row is marked processed only once the update is handled and its replies are sent (or handed
to the outbox), so a crash before that replays the update on start-up. Either inside the write
that records the sent replies (`mark_done_in`), or in a write of its own (`mark_done`).

A handler that fails never marks its row processed (issue #19): `handle_update` runs it again
after a transient database error (deadlock, serialization failure, lock timeout, a dropped
connection) and, when it keeps failing or fails otherwise, puts the row in the dead-letter
state (`wbs inbox failed` lists it, `wbs inbox retry` replays it) and calls `on_dead`, which
tells the person who acted that their message was not processed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from storage.inbox import mark_failed, mark_processed
from storage.transient import is_transient

log = logging.getLogger(__name__)
# tries of one update in-process before it becomes a dead letter (handlers already run a
# turn or an officer action again when it lost a race: handlers/races.py)
ATTEMPTS = 3
BACKOFF_S = 0.05  # before the second try; doubled each time
NOT_PROCESSED = "common.error.not_processed"  # what the person who acted is told


async def mark_done_in(session: AsyncSession, inbox_id: str | None, now: datetime) -> None:
    """Mark the row `inbox_id` processed in the caller's write (no-op for None)."""
    if inbox_id is not None:
        await mark_processed(session=session, inbox_id=inbox_id, now=now)


async def mark_done(app: App, inbox_id: str | None) -> None:
    """Mark the row `inbox_id` processed in a write of its own (no-op for None)."""
    if inbox_id is not None:
        now = app.services.clock()
        await app.db.write(lambda s: mark_done_in(s, inbox_id, now))


async def mark_dead(app: App, inbox_id: str, error: BaseException, tries: int = 1) -> bool:
    """Put the row in the dead-letter state (error type only); False if even that failed."""
    now, name = app.services.clock(), type(error).__name__
    try:
        await app.db.write(lambda s: mark_failed(session=s, inbox_id=inbox_id, error=name,
                                                 now=now, tries=tries))
    except Exception as exc:  # noqa: BLE001 - the row stays unprocessed: replayed on start-up
        log.error("could not record a failed update (%s); it is replayed on start-up",
                  type(exc).__name__)
        return False
    return True


async def handle_update(app: App, inbox_id: str, work: Callable[[], Awaitable[None]], *,
                        on_dead: Callable[[], Awaitable[None]] | None = None,
                        kind: str = "update") -> bool:
    """Run `work` (which marks the row processed when it succeeds); True if it did.

    A transient database error runs it again after a short pause; a lasting or any other
    error makes the row a dead letter and calls `on_dead` once. Logs carry the error's type
    only: its text can quote what somebody wrote."""
    for attempt in range(ATTEMPTS):
        try:
            await work()
        except Exception as exc:  # noqa: BLE001 - decided below: retry, or dead letter
            if is_transient(exc) and attempt + 1 < ATTEMPTS:
                log.info("%s hit a transient database error (%s); trying again",
                         kind, type(exc).__name__)
                await asyncio.sleep(BACKOFF_S * 2**attempt)
                continue
            log.error("%s failed (%s) after %d tries; kept as a dead letter (wbs inbox failed)",
                      kind, type(exc).__name__, attempt + 1)
            if await mark_dead(app, inbox_id, exc, attempt + 1) and on_dead is not None:
                try:
                    await on_dead()
                except Exception as told:  # noqa: BLE001 - telling them is best effort
                    log.warning("could not tell the sender (%s)", type(told).__name__)
            return False
        return True
    return False
