"""Settings of the scheduler: digest schedules, SLA policy, retention and e-mail (prefix WBS_)."""

from __future__ import annotations

from pydantic import SecretStr, field_validator
from pydantic_settings import BaseSettings

from bot.cron import cron_trigger


class SchedulerSettings(BaseSettings):
    """Cron expressions are standard five-field crontab lines in the office time zone."""

    scheduler_enabled: bool = True
    digest_daily_cron: str = "30 7 * * 1-5"
    digest_weekly_cron: str = "45 7 * * 1"
    sla_cron: str = "*/30 * * * *"
    retention_cron: str = "15 2 * * *"
    # Feedback to the reporter (an officer's first message in the thread) is due this many
    # working days after the report; 60 HK is about the three months of ISO 37002 / EU 2019/1937.
    sla_feedback_working_days: int = 60
    # A breach older than this many working days is also sent to the escalation chat.
    sla_escalation_margin_working_days: int = 2
    retention_days: int = 365
    inbox_grace_days: int = 7
    outbox_grace_days: int = 7
    scheduler_lease_seconds: int = 90
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str | None = None
    smtp_to: str = ""  # comma-separated addresses
    smtp_starttls: bool = True

    @field_validator("digest_daily_cron", "digest_weekly_cron", "sla_cron", "retention_cron")
    @classmethod
    def _valid_cron(cls, value: str) -> str:
        cron_trigger(value)  # raises on a typo, so it fails at start-up
        return value

    @property
    def smtp_recipients(self) -> list[str]:
        """The digest's e-mail addresses (empty: no e-mail)."""
        return [a.strip() for a in self.smtp_to.split(",") if a.strip()]
