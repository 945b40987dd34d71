"""Settings from the environment (prefix WBS_) and `.env`; each feature adds one mixin."""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.channels.telegram_settings import TelegramSettings
from bot.channels.whatsapp_settings import WhatsAppSettings
from bot.scheduler_settings import SchedulerSettings
from bot.settings_deploy import DeploySettings
from bot.settings_web import WebSettings
from handlers.gift_settings import GiftSettings
from handlers.officer_settings import OfficerSettings

WBS_ENV = SettingsConfigDict(env_prefix="WBS_", env_file=".env", extra="ignore")


class CoreSettings(BaseSettings):
    """Where data lives, who we are, language and time."""

    model_config = WBS_ENV

    data_dir: Path = Path("data")
    database_url: str | None = None
    database_schema: str | None = None
    database_pool_size: int = 10
    database_pool_timeout: float = 30.0
    key_file: Path | None = None
    master_key: SecretStr | None = None
    default_language: Literal["id", "en"] = "id"
    timezone: str = "Asia/Jakarta"
    office_name: str = "Kantor Imigrasi"
    team_name: str = "UPG"
    draft_ttl_hours: float = 24.0
    conversation_cache_size: int = 5000
    log_level: str = "INFO"
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    receipt_max_failures: int = 5
    receipt_lock_minutes: int = 60
    sender_max_failures: int = 10
    max_attachment_mb: float = 20.0
    max_attachments_per_report: int = 10

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        ZoneInfo(value)  # raises on an unknown zone, so a typo fails at start-up
        return value

    @property
    def tz(self) -> ZoneInfo:
        """The office's time zone (WIB/WITA/WIT)."""
        return ZoneInfo(self.timezone)

    @property
    def db_url(self) -> str:
        """The database URL; SQLite in the data directory unless WBS_DATABASE_URL is set."""
        return self.database_url or f"sqlite+aiosqlite:///{self.data_dir / 'wbs.db'}"

    @property
    def key_path(self) -> Path:
        """Where the keyring file lives (ignored when WBS_MASTER_KEY is set)."""
        return self.key_file or self.data_dir / "wbs.key"


class Settings(
    DeploySettings,
    OfficerSettings,
    SchedulerSettings,
    GiftSettings,
    WhatsAppSettings,
    TelegramSettings,
    WebSettings,
    CoreSettings,
):
    """All settings; feature mixins are added to the bases above CoreSettings."""
