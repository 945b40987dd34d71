"""Two workers on one database deliver posts about the same ticket: one forum topic per
ticket, and a message in any topic the ticket ever had reaches it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App, build_app
from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.officers.receive import TelegramOfficers
from bot.settings import Settings
from handlers.events import REPORTER_MESSAGE, TEAM_CHANNEL, TICKET_NEW
from storage import officers, tickets
from storage.crypto import Keyring
from storage.outbox import PendingMessage
from tests.fakes.bot_api import FakeBotApi
from tests.fakes.bot_api_chat import UserChat
from tests.officer.conftest import (
    FAST,
    OFFICERS,
    REPORTER,
    bot_says,
    file_complaint,
    officer_says,
    texts_in,
    topic_of,
)


@pytest.fixture
async def second_worker(settings: Settings, keyring: Keyring, app: App) -> AsyncIterator[App]:
    """Another process on the same database."""
    other = await build_app(settings, ring=keyring, migrate=False)
    yield other
    await other.close()


@pytest.fixture
async def desks(app: App, second_worker: App, api: FakeBotApi) -> AsyncIterator[list[TelegramOfficers]]:
    """The team channel of each worker, talking to the same Bot API (not polling)."""
    made = [TelegramOfficers(a, TelegramChannel(a, rates=FAST)) for a in (app, second_worker)]
    for desk in made:
        await desk.bot.initialize()
    yield made
    for desk in made:
        await desk.bot.shutdown()


def post(purpose: str, ticket_id: str, n: int) -> PendingMessage:
    """An outbox row of the team channel about the ticket."""
    return PendingMessage(id=f"row-{n}", channel=TEAM_CHANNEL, purpose=purpose, handle=TEAM_CHANNEL,
                          payload={"ticket_id": ticket_id}, ticket_id=ticket_id, attempts=0)


async def new_ticket(app: App, code: str) -> str:
    """A stored ticket, as a submitted complaint leaves it."""
    now = app.services.clock()

    async def work(s: AsyncSession) -> str:
        ticket = await tickets.create_ticket(
            session=s, ring=app.services.ring, code=code, kind="complaint", category="pungli",
            channel="telegram", content={"chronology": "rahasia"},
            route={"channel": "telegram", "handle": str(REPORTER)}, secret_hash="x", now=now)
        return ticket.id

    return await app.db.transaction(work)


async def test_two_workers_delivering_posts_about_one_ticket_open_one_topic(
        app: App, api: FakeBotApi, desks: list[TelegramOfficers]):
    codes = [f"WBS-AAA{i}-BBBB" for i in range(4)]
    ids = [await new_ticket(app, code) for code in codes]
    rows = [post(purpose, ticket_id, n) for n, ticket_id in enumerate(ids)
            for purpose in (TICKET_NEW, TICKET_NEW, REPORTER_MESSAGE)]
    # the same row resent, and different rows about one ticket, on both workers at once
    results = await asyncio.gather(*(desk.deliver(row) for row in rows for desk in desks))

    assert all(r.ok for r in results), results
    for code in codes:
        topics = [t for (chat, _), t in api.topics.items()
                  if chat == OFFICERS and t["name"].startswith(code)]
        assert len(topics) == 1, code
    headers = [t for t in texts_in(api, OFFICERS) if "Batas tanggapan awal" in t]
    assert len(headers) == len(codes)


async def test_a_place_left_half_open_by_a_dead_worker_is_taken_over(
        app: App, api: FakeBotApi, desks: list[TelegramOfficers]):
    ticket_id = await new_ticket(app, "WBS-DEAD-0001")
    long_ago = app.services.clock() - timedelta(hours=1)
    claimed = await app.db.write(lambda s: officers.claim_desk(
        session=s, ticket_id=ticket_id, chat_id=OFFICERS, now=long_ago))
    assert claimed  # ...and the worker died before it created the topic

    assert (await desks[1].deliver(post(TICKET_NEW, ticket_id, 0))).ok
    assert [t for t in api.topics.values() if t["name"].startswith("WBS-DEAD-0001")]


async def test_a_message_in_an_older_topic_of_the_ticket_still_reaches_it(
        app: App, api: FakeBotApi, team: TelegramOfficers):
    code, _ = await file_complaint(UserChat(api, REPORTER))
    first = await topic_of(api, code)
    ticket = await app.db.read(lambda s: tickets.find_ticket(session=s, code=code))
    # a second topic became the current one (as two workers racing made before)
    second = first + 1000
    api.topics[(OFFICERS, second)] = {"name": f"{code} · kedua"}
    now = app.services.clock()
    await app.db.write(lambda s: officers.place_ticket(
        session=s, ticket_id=ticket.id, chat_id=OFFICERS, thread_id=second,
        header_message_id=None, now=now))

    officer_says(api, "Mohon kirim foto kuitansinya.", thread=first)

    received = await bot_says(api, REPORTER, "Mohon kirim foto kuitansinya")
    assert received.startswith("Petugas UPG")
