"""Fixtures for the scheduler tests: a hand-driven clock and a ticket factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from bot.app import App, build_app
from bot.scheduler import Scheduler
from bot.settings import Settings
from handlers.jobs import NOTICE_CHANNEL
from storage import outbox, tickets
from storage.crypto import Keyring
from storage.models import Ticket
from storage.outbox import PendingMessage

JAKARTA = ZoneInfo("Asia/Jakarta")
SECRET_STORY = "Petugas loket tiga bernama Budi Santoso meminta amplop Rp5.000.000"
REPORTER_HANDLE = "telegram-user-987654321"


class Clock:
    """The app's clock, moved by the test: `clock.set(2026, 12, 28, 7, 30)` (Jakarta time)."""

    def __init__(self) -> None:
        self.now = datetime(2026, 12, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def set(self, *parts: int) -> datetime:
        self.now = datetime(*parts, tzinfo=JAKARTA).astimezone(UTC)  # type: ignore[misc]
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock(app: App) -> Clock:
    """The app's clock, under the test's control."""
    c = Clock()
    app.services.clock = c
    return c


def local(*parts: int) -> datetime:
    """A Jakarta wall-clock time as an aware UTC instant."""
    return datetime(*parts, tzinfo=JAKARTA).astimezone(UTC)  # type: ignore[misc]


async def seed_ticket(app: App, code: str, created: datetime, *, kind: str = "complaint",
                      category: str = "pungli", channel: str = "telegram",
                      story: str = SECRET_STORY, **stamps: Any) -> Ticket:
    """A ticket with real sealed content, then its status and times set as given."""
    async def work(session: Any) -> Ticket:
        ticket = await tickets.create_ticket(
            session=session, ring=app.services.ring, code=code, kind=kind, category=category,
            channel=channel, content={"chronology": story, "reported_person": "Budi Santoso"},
            route={"channel": channel, "handle": REPORTER_HANDLE}, secret_hash="x", now=created)
        await tickets.add_message(session=session, ring=app.services.ring, ticket=ticket,
                                  author="reporter", text=story, now=created)
        values = {"last_reporter_message_at": None, **stamps}
        await session.execute(update(Ticket).where(Ticket.id == ticket.id).values(**values))
        return ticket
    return await app.db.transaction(work)


async def team_messages(app: App, purpose: str | None = None) -> list[PendingMessage]:
    """Everything queued for the officers' side, decrypted, optionally of one purpose."""
    far = datetime(2100, 1, 1, tzinfo=UTC)
    rows = await app.db.read(lambda s: outbox.due_messages(
        session=s, ring=app.services.ring, now=far, channels=[NOTICE_CHANNEL],
        limit=10_000))
    return [m for m in rows if purpose is None or m.purpose == purpose]


@pytest.fixture
def scheduler(app: App, clock: Clock) -> Scheduler:
    """The app's scheduler (not started: tests call its jobs with the clock set by hand)."""
    return Scheduler(app, holder="worker-a")


@pytest.fixture
async def second_worker(settings: Settings, keyring: Keyring, app: App,
                        clock: Clock) -> AsyncIterator[App]:
    """Another process on the same database, with the same clock."""
    other = await build_app(settings, ring=keyring, migrate=False)
    other.services.clock = clock
    yield other
    await other.close()
