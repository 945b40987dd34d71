"""The inbox: updates arriving together are stored in one statement per commit, each once;
a redelivery, in the same commit or later, is recognised and stored no second time."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from bot.app import App
from storage.inbox import accept_update, unprocessed
from storage.models import InboxItem


async def queued(app: App, external_id: str, payload: bytes) -> str | None:
    """One update stored as the channels store it; its inbox id, None if seen before."""
    ring, now = app.services.ring, app.services.clock()
    stored = await app.db.write(lambda s: accept_update(
        session=s, ring=ring, channel="telegram", external_id=external_id, payload=payload,
        now=now))
    return stored.inbox_id


async def test_updates_queued_together_are_each_stored_once(app: App):
    ids = [f"u{i}" for i in range(60)]
    first = await asyncio.gather(*(queued(app, e, e.encode()) for e in ids),
                                 *(queued(app, e, e.encode()) for e in ids[:10]))  # redelivered
    fresh, repeated = first[:60], first[60:]
    assert all(fresh)
    assert len(set(fresh)) == 60
    assert repeated == [None] * 10
    assert await asyncio.gather(*(queued(app, e, b"again") for e in ids[:5])) == [None] * 5

    count = await app.db.read(lambda s: s.scalar(select(func.count()).select_from(InboxItem)))
    assert count == 60
    pending = dict(await app.db.read(lambda s: unprocessed(
        session=s, ring=app.services.ring, channel="telegram")))
    assert {inbox_id: pending[inbox_id] for inbox_id in fresh} == {
        inbox_id: e.encode() for inbox_id, e in zip(fresh, ids, strict=True)}
