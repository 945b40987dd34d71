"""The scheduler: jobs on the office's clock, one digest per period whatever happens to the
workers, and exactly one worker doing the work."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.app import App
from bot.cron import cron_trigger
from bot.scheduler import Scheduler
from bot.settings import load_settings
from handlers.jobs import DIGEST_PURPOSE
from tests.scheduler.conftest import JAKARTA, Clock, local, seed_ticket, team_messages


def test_weekday_numbers_in_cron_lines_mean_what_crontab_means() -> None:
    trigger = cron_trigger("30 7 * * 1-5", JAKARTA)
    fire = datetime(2026, 11, 21, 12, tzinfo=JAKARTA)  # a Saturday
    days = []
    for _ in range(6):
        fire = trigger.get_next_fire_time(None, fire + timedelta(minutes=1))
        days.append((fire.strftime("%a"), fire.hour, fire.minute))
    assert days == [("Mon", 7, 30), ("Tue", 7, 30), ("Wed", 7, 30), ("Thu", 7, 30),
                    ("Fri", 7, 30), ("Mon", 7, 30)]
    sunday = cron_trigger("0 9 * * 0", JAKARTA).get_next_fire_time(None, fire)
    assert sunday.strftime("%a") == "Sun"


def test_a_mistyped_cron_line_is_refused_at_start_up() -> None:
    with pytest.raises(ValueError, match="WBS_DIGEST_DAILY_CRON"):
        load_settings({"WBS_DIGEST_DAILY_CRON": "30 7 * *"})


async def test_started_scheduler_plans_the_digest_for_the_next_working_morning(
    app: App, clock: Clock,
) -> None:
    scheduler = Scheduler(app, holder="worker-a")
    scheduler.start()
    try:
        planned = scheduler.jobs_scheduled()
        assert set(planned) == {"lease", "digest-daily", "digest-weekly", "sla", "retention",
                                "gift-reminders"}
        daily = planned["digest-daily"].astimezone(JAKARTA)
        assert (daily.hour, daily.minute) == (7, 30)
        assert daily.weekday() < 5
        assert planned["digest-weekly"].astimezone(JAKARTA).weekday() == 0
        # its first tick runs at once and sends the digest missed before it started
        async def first_digest() -> list[object]:
            while not (found := await team_messages(app, DIGEST_PURPOSE)):
                await asyncio.sleep(0.05)
            return found
        found = await asyncio.wait_for(first_digest(), 10)
        assert found[0].payload["period"] == "daily:2026-11-30T07:30+07:00"
    finally:
        await scheduler.stop()


async def test_restart_after_downtime_sends_the_missed_digest_once(
    app: App, clock: Clock, scheduler: Scheduler,
) -> None:
    clock.set(2026, 11, 23, 7, 50)  # Monday, after the daily and the weekly digest times
    await scheduler.tick()
    assert await scheduler.tick() == []  # both were sent by the tick above
    await seed_ticket(app, "WBS-TUES-0001", local(2026, 11, 24, 11))  # came in while we were down
    await scheduler.stop()

    restarted = Scheduler(app, holder="worker-a-restarted")
    clock.set(2026, 11, 26, 10, 0)  # Thursday: Tuesday's and Wednesday's digests were missed
    assert await restarted.tick() == ["daily"]
    for minutes in (0, 1, 30):
        clock.advance(minutes=minutes)
        assert await restarted.tick() == []
    digests = [m.payload for m in await team_messages(app, DIGEST_PURPOSE)]
    assert [d["kind"] for d in digests] == ["daily", "weekly", "daily"]
    assert digests[-1]["period"] == "daily:2026-11-26T07:30+07:00"
    assert "WBS-TUES-0001" in digests[-1]["text"]  # counted from Monday's digest on



async def test_two_workers_send_one_digest_and_the_second_takes_over_when_the_first_dies(
    app: App, second_worker: App, clock: Clock,
) -> None:
    first = Scheduler(app, holder="worker-a")
    second = Scheduler(second_worker, holder="worker-b")
    clock.set(2026, 11, 24, 7, 30)
    sent = await asyncio.gather(first.tick(), second.tick())
    assert sorted(sent) == [[], ["daily", "weekly"]]  # first start: last Monday's summary too
    assert [first.leader, second.leader].count(True) == 1
    leader, follower = (first, second) if first.leader else (second, first)

    clock.advance(seconds=30)  # the leader has died without handing the lease back
    assert await follower.tick() == []
    assert not follower.leader  # ...and its lease has not lapsed yet
    clock.advance(seconds=app.settings.scheduler.lease_seconds)
    await follower.tick()
    assert follower.leader
    clock.set(2026, 11, 25, 7, 30)
    assert await follower.tick() == ["daily"]
    assert await leader.tick() == []  # back from the dead: it no longer holds the lease
    assert not leader.leader
    periods = [m.payload["period"] for m in await team_messages(app, DIGEST_PURPOSE)
               if m.payload["kind"] == "daily"]
    assert periods == ["daily:2026-11-24T07:30+07:00", "daily:2026-11-25T07:30+07:00"]


async def test_a_period_is_sent_once_even_when_two_workers_race_for_it(
    app: App, second_worker: App, clock: Clock,
) -> None:
    """Without the lease (e.g. a clock skew), the period's unique key still wins."""
    clock.set(2026, 11, 24, 7, 30)
    fire = datetime(2026, 11, 24, 0, 30, tzinfo=UTC)
    first = Scheduler(app, holder="worker-a").jobs
    second = Scheduler(second_worker, holder="worker-b").jobs
    results = await asyncio.gather(*(jobs.digest_for_period("daily", fire)
                                     for jobs in (first, second, first, second)))
    assert results.count(True) == 1
    assert len(await team_messages(app, DIGEST_PURPOSE)) == 1


async def test_stopping_hands_the_lease_to_the_next_worker_at_once(
    app: App, second_worker: App, clock: Clock,
) -> None:
    first = Scheduler(app, holder="worker-a")
    second = Scheduler(second_worker, holder="worker-b")
    clock.set(2026, 11, 24, 8, 0)
    await first.tick()
    assert first.leader
    await first.stop()
    await second.tick()
    assert second.leader


async def test_digest_runs_are_counted_in_the_metrics(app: App, clock: Clock) -> None:
    scheduler = Scheduler(app, holder="worker-metrics")
    clock.set(2026, 11, 24, 7, 30)
    assert await scheduler.tick() == ["daily", "weekly"]
    exposed = app.metrics.render().decode()
    assert 'wbs_digest_runs_total{kind="daily",result="sent"} 1.0' in exposed
    assert 'wbs_digest_runs_total{kind="weekly",result="sent"} 1.0' in exposed
