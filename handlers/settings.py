"""The settings sections the conversation layer reads, and the view of the tree it needs.

`DomainSettings` names only the sections below `bot/`; the runtime's `bot.settings.Settings`
has them and more (channels, web server, scheduler), so handlers never import it.
"""

from __future__ import annotations

from typing import Literal, Protocol
from zoneinfo import ZoneInfo

from pydantic import Field, field_validator

from handlers.gift_settings import GiftSettings
from handlers.officer_settings import OfficerSettings
from storage.settings import Section, StorageSettings, env_names


class OfficeSettings(Section):
    """Who we are, the reporters' default language and the office's time zone."""

    office_name: str = "Kantor Imigrasi"
    team_name: str = "UPG"
    default_language: Literal["id", "en"] = "id"
    timezone: str = "Asia/Jakarta"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        ZoneInfo(value)  # raises on an unknown zone, so a typo fails at start-up
        return value

    @property
    def tz(self) -> ZoneInfo:
        """The office's time zone (WIB/WITA/WIT)."""
        return ZoneInfo(self.timezone)


class ConversationSettings(Section):
    """How long drafts live, how many conversations stay cached, attachment and report limits."""

    draft_ttl_hours: float = 24.0
    cache_size: int = Field(5000, validation_alias="WBS_CONVERSATION_CACHE_SIZE")
    max_attachment_mb: float = 20.0
    max_attachments_per_report: int = 10
    # New reports one sender (by keyed hash) may file per 24 hours, and all senders together
    # per hour; a reporter over either limit is told so before starting a report (0: no limit).
    reports_per_sender_per_day: int = Field(3, ge=0)
    reports_per_hour: int = Field(30, ge=0)


class ReceiptSettings(Section):
    """Receipt look-ups: how wrong guesses slow down a sender and guard a code (secrets are
    keyed hashes; the Argon2id cost applies to legacy receipts only)."""

    model_config = env_names("WBS_RECEIPT_")

    # Legacy receipts only (issued before keyed hashes): Argon2id checks them, then they are
    # re-hashed keyed; each stored Argon2id hash also names its own cost.
    argon2_time_cost: int = Field(3, validation_alias="WBS_ARGON2_TIME_COST")
    argon2_memory_kib: int = Field(65536, validation_alias="WBS_ARGON2_MEMORY_KIB")
    # Wrong guesses on one code (existing or not) before it is guarded for `lock_minutes`: a
    # guarded code gives senders no free wrong guesses (each one makes the sender wait at least
    # a minute); the right secret still opens it.
    max_failures: int = 5
    # The longest wait of a sender's backoff, and how long a code stays guarded.
    lock_minutes: int = 60
    # Wrong guesses a sender may make before waiting; each later one doubles the wait from 1 min.
    sender_max_failures: int = Field(5, validation_alias="WBS_SENDER_MAX_FAILURES")


class SlaSettings(Section):
    """Service levels counted in working days (hari kerja)."""

    model_config = env_names("WBS_SLA_")

    # Feedback to the reporter (an officer's first message in the thread) is due this many
    # working days after the report; 60 HK is about the three months of ISO 37002 / EU 2019/1937.
    feedback_working_days: int = 60
    # A breach older than this many working days is also sent to the escalation chat.
    escalation_margin_working_days: int = 2


class RetentionSettings(Section):
    """How long closed reports, handled inbox rows and delivered outbox rows are kept."""

    days: int = Field(365, validation_alias="WBS_RETENTION_DAYS")
    inbox_grace_days: int = 7
    outbox_grace_days: int = 7


class DomainSettings(Protocol):
    """The sections of the settings tree that flows, officer actions and jobs read."""

    @property
    def storage(self) -> StorageSettings:
        """Data directory and database."""

    @property
    def office(self) -> OfficeSettings:
        """Names, language, time zone."""

    @property
    def conversations(self) -> ConversationSettings:
        """Drafts, cache, attachments."""

    @property
    def receipts(self) -> ReceiptSettings:
        """Receipt hashing and lock-outs."""

    @property
    def officers(self) -> OfficerSettings:
        """Officers' chats and service levels."""

    @property
    def gift(self) -> GiftSettings:
        """The gift track's calendar and exports."""

    @property
    def sla(self) -> SlaSettings:
        """Service levels."""

    @property
    def retention(self) -> RetentionSettings:
        """Retention periods."""
