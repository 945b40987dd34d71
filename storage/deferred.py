"""Statements collected during a transaction and sent together just before it commits.

The group-commit writer runs the turns of hundreds of conversations in one transaction; every
awaited statement there is a round trip to the database thread or server, and between round
trips the event loop serves everybody else. So the two statements every turn makes (save the
conversation, mark the inbox row) are queued here and sent as one statement each per commit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

Flush = Callable[[Session, list[Any]], None]
_KEY = "wbs_deferred"


def defer(session: AsyncSession, key: str, flush: Flush, item: Any) -> None:
    """Queue `item` for `flush(sync_session, items)`, run once before this transaction commits."""
    pending: dict[str, tuple[Flush, list[Any]]] = session.sync_session.info.setdefault(_KEY, {})
    pending.setdefault(key, (flush, []))[1].append(item)


@event.listens_for(Session, "before_commit")
def _flush_deferred(session: Session) -> None:
    """Send what was deferred; an exception here aborts the commit."""
    pending = session.info.pop(_KEY, None)
    for flush, items in (pending or {}).values():
        flush(session, items)


@event.listens_for(Session, "after_rollback")
def _forget_deferred(session: Session) -> None:
    """A rolled-back transaction sends nothing."""
    session.info.pop(_KEY, None)
