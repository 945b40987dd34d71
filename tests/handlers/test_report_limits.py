"""Limits on new reports: per sender per day and for everyone per hour (issue #15)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.settings import Settings, load_settings
from handlers.jobs import NOTICE_CHANNEL
from storage import outbox
from tests.handlers.test_complaint_flow import receipt_of, walk_to_summary
from tests.support.reporter import Reporter
from tests.support.settings import CHEAP_ARGON2

SENDER_LIMITED = "Mohon maaf, untuk sementara Anda tidak dapat membuat laporan baru."
BUSY = "layanan sedang menerima banyak laporan. Silakan coba lagi dalam satu jam."
CATEGORY_QUESTION = "jenis pelanggaran"


@pytest.fixture
def settings(tmp_path: Path, database: tuple[str, str | None]) -> Settings:
    """The usual test settings with small limits: one report per sender, two per hour."""
    url, schema = database
    return load_settings({
        "WBS_DATA_DIR": str(tmp_path), "WBS_DATABASE_URL": url, "WBS_DATABASE_SCHEMA": schema or "",
        **CHEAP_ARGON2, "WBS_METRICS_LISTEN_PORT": "0",
        "WBS_REPORTS_PER_SENDER_PER_DAY": "1", "WBS_REPORTS_PER_HOUR": "2"})


class Clock:
    """A settable clock for the engine."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(app: App) -> Clock:
    """Put the app on a clock the test moves."""
    fake = Clock()
    app.services.clock = fake
    return fake


async def file_complaint(r: Reporter) -> str:
    """Walk a complaint through and submit it; the receipt's code."""
    await walk_to_summary(r)
    await r.choose("confirm:submit")
    return receipt_of(r)[0]


async def file_complaint_en(r: Reporter) -> None:
    """File a complaint as an English-speaking reporter."""
    await r.say("/language en")
    await file_complaint(r)


async def team_notices(app: App, now: datetime) -> list[outbox.PendingMessage]:
    """The notices waiting for the officers' chat."""
    async def load(s: AsyncSession) -> list[outbox.PendingMessage]:
        return await outbox.due_messages(session=s, ring=app.services.ring, now=now,
                                         channels=[NOTICE_CHANNEL])
    return [m for m in await app.db.read(load) if m.purpose == "abuse.global_limit"]


async def test_a_sender_over_the_daily_limit_is_told_before_typing_a_report(
        app: App, clock: Clock, reporter: Reporter):
    await file_complaint(reporter)
    await reporter.say("/start")
    await reporter.choose("menu:complaint")
    assert SENDER_LIMITED in reporter.text
    assert "besok" in reporter.text
    assert CATEGORY_QUESTION not in reporter.text  # no question asked: nothing typed in vain
    assert "menu:complaint" in reporter.options  # back at the menu

    other = Reporter(app.engine)  # another sender is not affected
    await other.say("/start")
    await other.choose("menu:complaint")
    assert CATEGORY_QUESTION in other.text

    clock.now += timedelta(days=1, minutes=1)  # the next day the sender may report again
    await reporter.say("/start")
    await reporter.choose("menu:complaint")
    assert CATEGORY_QUESTION in reporter.text


async def test_a_sender_over_the_limit_in_english(app: App, clock: Clock):
    reporter = Reporter(app.engine, language="en")
    await file_complaint_en(reporter)
    await reporter.say("/start")
    await reporter.choose("menu:complaint")
    assert "you cannot make a new report for now" in reporter.text


async def test_the_hourly_limit_keeps_the_draft_and_tells_officers_once(
        app: App, clock: Clock, reporter: Reporter):
    await walk_to_summary(reporter)  # started while the service was quiet
    await file_complaint(Reporter(app.engine))
    await file_complaint(Reporter(app.engine))  # two reports this hour: the limit

    await reporter.choose("confirm:submit")
    assert BUSY in reporter.text
    assert "WBS-" not in reporter.text  # no receipt
    assert "confirm:submit" in reporter.options  # the draft is kept, ready to send later

    late = Reporter(app.engine)
    await late.say("/start")
    await late.choose("menu:complaint")
    assert BUSY in late.text
    assert CATEGORY_QUESTION not in late.text

    notices = await team_notices(app, clock.now)
    assert len(notices) == 1  # one notice, however many reporters are turned away
    notice = str(notices[0].payload["text"])
    assert "2 laporan baru per jam" in notice
    assert "Pungli" not in notice  # content-free
    assert "loket" not in notice

    clock.now += timedelta(hours=1, minutes=1)
    await reporter.choose("confirm:submit")  # the same draft goes through an hour later
    code, _ = receipt_of(reporter)
    assert code.startswith("WBS-")
