"""Settings of the scheduler (`settings.scheduler`): when each job runs and the leader lease."""

from __future__ import annotations

from pydantic import Field, field_validator

from bot.cron import cron_trigger
from storage.settings import Section


class SchedulerSettings(Section):
    """Cron expressions are standard five-field crontab lines in the office time zone."""

    enabled: bool = Field(True, validation_alias="WBS_SCHEDULER_ENABLED")
    digest_daily_cron: str = "30 7 * * 1-5"
    digest_weekly_cron: str = "45 7 * * 1"
    sla_cron: str = "*/30 * * * *"
    retention_cron: str = "15 2 * * *"
    lease_seconds: int = Field(90, validation_alias="WBS_SCHEDULER_LEASE_SECONDS")

    @field_validator("digest_daily_cron", "digest_weekly_cron", "sla_cron", "retention_cron")
    @classmethod
    def _valid_cron(cls, value: str) -> str:
        cron_trigger(value)  # raises on a typo, so it fails at start-up
        return value
