"""The scheduler (APScheduler 3, AsyncIOScheduler): digests, SLA reminders and retention.

Every worker runs one, but only the holder of the database lease does any work; the lease is
renewed every third of its lifetime and another worker takes it over once it lapses. Each
renewal also sends any digest whose period has passed without one (catch-up after downtime);
the digest period's unique key makes sure it is sent once, whoever sends it.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger

from bot.app import App
from bot.cron import cron_trigger
from bot.mailer import mailer
from handlers.jobs import Jobs
from storage import lease

log = logging.getLogger(__name__)
LEASE_NAME = "scheduler"
CATCH_UP_LOOKBACK = timedelta(days=35)
GIFT_REMINDER_MINUTES = 30  # reminders are due at 09:00 office time; sent within half an hour


def latest_fire(trigger: BaseTrigger, now: datetime, *,
                lookback: timedelta = CATCH_UP_LOOKBACK) -> datetime | None:
    """The most recent time `trigger` fired at or before `now` (None if not within `lookback`)."""
    latest = None
    fire = trigger.get_next_fire_time(None, now - lookback)
    while fire is not None and fire <= now:
        latest = fire
        fire = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
    return latest


class Scheduler:
    """Wires the jobs into APScheduler and keeps them to the lease holder."""

    def __init__(self, app: App, *, holder: str | None = None) -> None:
        self.services = app.services
        self.settings = app.settings
        self.jobs = Jobs(app.services, metrics=app.metrics, mail=mailer(app.settings.smtp))
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.leader = False
        tz = self.settings.office.tz
        self.digest_triggers = {"daily": cron_trigger(self.settings.scheduler.digest_daily_cron, tz),
                                "weekly": cron_trigger(self.settings.scheduler.digest_weekly_cron, tz)}
        self._aps: AsyncIOScheduler | None = None

    async def hold_lease(self) -> bool:
        """Take or renew the lease; True while this worker is the scheduler."""
        now = self.services.clock()
        ttl = timedelta(seconds=self.settings.scheduler.lease_seconds)
        held = await self.services.db.write(lambda s: lease.acquire(
            session=s, name=LEASE_NAME, holder=self.holder, now=now, ttl=ttl))
        if held != self.leader:
            log.info("scheduler lease %s", "taken" if held else "lost")
        self.leader = held
        return held

    async def tick(self) -> list[str]:
        """Renew the lease and, as its holder, send each digest whose period passed unsent."""
        if not await self.hold_lease():
            return []
        now = self.services.clock()
        sent = []
        for kind, trigger in self.digest_triggers.items():
            fire = latest_fire(trigger, now)
            if fire is not None and await self.jobs.digest_for_period(kind, fire):
                sent.append(kind)
        return sent

    async def run_sla(self) -> None:
        """SLA reminders, on the lease holder only."""
        if await self.hold_lease():
            await self.jobs.sla_round()

    async def run_retention(self) -> None:
        """Retention purge, on the lease holder only."""
        if await self.hold_lease():
            await self.jobs.retention_round()

    async def run_gift_reminders(self) -> None:
        """Gift reporters' own deadline reminders, on the lease holder only."""
        if await self.hold_lease():
            await self.jobs.gift_reminders()

    def start(self) -> None:
        """Schedule the jobs on the running event loop; the first tick runs at once (catch-up)."""
        cfg = self.settings
        aps = AsyncIOScheduler(timezone=cfg.office.tz, job_defaults={
            "coalesce": True, "max_instances": 1, "misfire_grace_time": 3600})
        aps.add_job(_guarded(self.tick), "interval", id="lease",
                    seconds=max(1, cfg.scheduler.lease_seconds // 3),
                    next_run_time=datetime.now(cfg.office.tz))
        for kind, trigger in self.digest_triggers.items():
            aps.add_job(_guarded(self.tick), trigger, id=f"digest-{kind}")
        aps.add_job(_guarded(self.run_sla), cron_trigger(cfg.scheduler.sla_cron, cfg.office.tz), id="sla")
        aps.add_job(_guarded(self.run_retention), cron_trigger(cfg.scheduler.retention_cron, cfg.office.tz),
                    id="retention")
        aps.add_job(_guarded(self.run_gift_reminders), "interval", id="gift-reminders",
                    minutes=GIFT_REMINDER_MINUTES)
        aps.start()
        self._aps = aps

    def jobs_scheduled(self) -> dict[str, Any]:
        """Job id -> next run time (for `wbs digest --preview` and tests)."""
        return {job.id: job.next_run_time for job in self._aps.get_jobs()} if self._aps else {}

    async def stop(self) -> None:
        """Stop scheduling and hand the lease back so another worker can take over at once."""
        if self._aps is not None:
            self._aps.shutdown(wait=False)
            self._aps = None
        if self.leader:
            await self.services.db.write(lambda s: lease.release(session=s, name=LEASE_NAME,
                                                                 holder=self.holder))
            self.leader = False


def _guarded(job: Callable[[], Awaitable[Any]]) -> Callable[[], Awaitable[None]]:
    """A job that logs its failure (type only, never content) and lets the next run retry."""

    async def run() -> None:
        try:
            await job()
        except Exception as exc:  # noqa: BLE001 - a failed round must not stop the scheduler
            log.error("scheduled job %s failed: %s", job.__name__, type(exc).__name__)

    run.__name__ = run.__qualname__ = job.__name__
    return run
