"""Conversation saves: grouped into one statement per commit, yet a change by another worker
is always caught and only the losing turn is retried."""

from __future__ import annotations

import asyncio

import pytest

from bot.app import App
from storage.conversations import (
    ConcurrentUpdateError,
    ConversationState,
    load_conversation,
    save_conversation,
)
from tests.support.reporter import Reporter


async def saved(app: App, digest: str) -> ConversationState:
    """A conversation stored once, read back."""
    ring, now = app.services.ring, app.services.clock()
    await app.db.write(lambda s: save_conversation(
        session=s, ring=ring, conv=ConversationState(digest=digest, channel="console", lang="id"),
        now=now))
    return await app.db.read(lambda s: load_conversation(session=s, ring=ring, digest=digest))


async def test_a_stale_save_fails_and_a_fresh_one_in_the_same_commit_survives(app: App):
    ring, now = app.services.ring, app.services.clock()
    a1, b = await saved(app, "a" * 64), await saved(app, "b" * 64)
    a2 = await app.db.read(lambda s: load_conversation(session=s, ring=ring, digest="a" * 64))
    a1.step = "first-writer"
    await app.db.write(lambda s: save_conversation(session=s, ring=ring, conv=a1, now=now))

    a2.step, b.step = "stale-writer", "unrelated"
    results = await asyncio.gather(
        app.db.write(lambda s: save_conversation(session=s, ring=ring, conv=a2, now=now)),
        app.db.write(lambda s: save_conversation(session=s, ring=ring, conv=b, now=now)),
        return_exceptions=True)
    assert isinstance(results[0], ConcurrentUpdateError)
    assert results[1] is None
    a = await app.db.read(lambda s: load_conversation(session=s, ring=ring, digest="a" * 64))
    b_now = await app.db.read(lambda s: load_conversation(session=s, ring=ring, digest="b" * 64))
    assert (a.step, a.version) == ("first-writer", 2)
    assert (b_now.step, b_now.version) == ("unrelated", 2)


async def test_engine_recovers_when_another_worker_moved_the_conversation(app: App):
    r = Reporter(app.engine)
    await r.say("/start")
    await r.choose("menu:complaint")
    digest = next(iter(app.engine.cache._entries))
    ring, now = app.services.ring, app.services.clock()
    other = await app.db.read(lambda s: load_conversation(session=s, ring=ring, digest=digest))
    other.draft["category"], other.step = "suap", "chronology"  # another worker answered
    await app.db.write(lambda s: save_conversation(session=s, ring=ring, conv=other, now=now))

    await r.say("/bahasa")  # our cached copy is stale: the turn is re-run on the stored state
    await r.choose("lang:en")
    assert "Please describe what happened" in r.text


@pytest.mark.parametrize("size", [0, 1])
async def test_engine_works_with_a_tiny_or_no_cache(app: App, size: int):
    app.engine.cache.size = size
    first, second = Reporter(app.engine), Reporter(app.engine)
    for r in (first, second, first, second):
        await r.say("/start")
    await first.choose("menu:complaint")
    await second.choose("menu:status")
    await first.choose("calo")
    assert "kronologis" in first.text
    assert len(app.engine.cache) <= size
