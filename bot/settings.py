"""The settings tree: one typed section per concern, built by `load_settings(env)`.

Variable names are the documented `WBS_*` ones (README, `.env.example`); each section's class
lives with the code that reads it. `load_settings` is pure: tests hand it a dict.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dotenv import dotenv_values
from pydantic import BaseModel, ConfigDict, SecretStr, field_validator

from bot.channels.telegram.settings import TelegramSettings
from bot.channels.whatsapp.settings import WhatsAppSettings
from bot.mailer import SmtpSettings
from bot.scheduler_settings import SchedulerSettings
from handlers.gift_settings import GiftSettings
from handlers.officer_settings import OfficerSettings
from handlers.settings import (
    ConversationSettings,
    OfficeSettings,
    ReceiptSettings,
    RetentionSettings,
    SlaSettings,
)
from storage.settings import Section, StorageSettings, env_names

log = logging.getLogger(__name__)
PREFIX = "WBS_"
METRICS_TOKEN_MIN = 32


class WebSettings(Section):
    """Where the webhook server listens, the HTTPS address the world reaches it at, and the
    separate listener for /metrics (loopback by default: metrics are for the operator only)."""

    # A refused value must never be echoed in the error (the metrics token is a secret).
    model_config = ConfigDict(**env_names(PREFIX), hide_input_in_errors=True)

    listen_host: str = "127.0.0.1"
    listen_port: int = 8080
    public_url: str | None = None  # e.g. https://wbs.example.go.id (a TLS proxy in front)
    metrics_listen_host: str = "127.0.0.1"
    metrics_listen_port: int = 9090
    metrics_token: SecretStr | None = None  # bearer token, for when the metrics port is exposed

    @field_validator("metrics_token")
    @classmethod
    def _long_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < METRICS_TOKEN_MIN:
            raise ValueError(f"WBS_METRICS_TOKEN must be at least {METRICS_TOKEN_MIN} characters; generate"
                             " one with `python -c \"import secrets; print(secrets.token_urlsafe(32))\"`")
        return value

    @field_validator("public_url")
    @classmethod
    def _no_trailing_slash(cls, value: str | None) -> str | None:
        return value.rstrip("/") if value else None


class RuntimeSettings(Section):
    """Logging and how long a stopping worker waits for in-flight updates."""

    log_level: str = "INFO"
    shutdown_grace_seconds: float = 20.0


class Settings(BaseModel):
    """All settings, one section per concern (`settings.telegram.token`, `settings.office.tz`)."""

    model_config = ConfigDict(validate_assignment=True)

    storage: StorageSettings = StorageSettings()
    office: OfficeSettings = OfficeSettings()
    conversations: ConversationSettings = ConversationSettings()
    receipts: ReceiptSettings = ReceiptSettings()
    officers: OfficerSettings = OfficerSettings()
    gift: GiftSettings = GiftSettings()
    sla: SlaSettings = SlaSettings()
    retention: RetentionSettings = RetentionSettings()
    scheduler: SchedulerSettings = SchedulerSettings()
    smtp: SmtpSettings = SmtpSettings()
    web: WebSettings = WebSettings()
    runtime: RuntimeSettings = RuntimeSettings()
    telegram: TelegramSettings = TelegramSettings()
    whatsapp: WhatsAppSettings = WhatsAppSettings()

    def replace(self, **sections: Mapping[str, Any]) -> Settings:
        """A copy with some fields of some sections changed: `replace(web={"listen_port": 0})`."""
        changed = {name: getattr(self, name).model_copy(update=dict(values))
                   for name, values in sections.items()}
        return self.model_copy(update=changed)


def section_types() -> dict[str, type[Section]]:
    """Section name -> its class, in the tree's order."""
    return {name: field.annotation for name, field in Settings.model_fields.items()}  # type: ignore[misc]


def known_variables() -> set[str]:
    """Every WBS_* name some section reads."""
    names: set[str] = set()
    for cls in section_types().values():
        for field_name, field in cls.model_fields.items():
            alias = field.validation_alias
            names.add(alias if isinstance(alias, str) else PREFIX + field_name.upper())
    return names


def load_settings(env: Mapping[str, str]) -> Settings:
    """The settings tree from environment variables; an empty variable counts as unset, and a
    WBS_* name no section reads is reported (by name only: values can be secrets)."""
    values = {k: v for k, v in env.items() if k.startswith(PREFIX) and v.strip() != ""}
    unknown = sorted(set(values) - known_variables())
    if unknown:
        log.warning("ignoring unknown settings: %s", ", ".join(unknown))
    return Settings(**{name: cls.model_validate(values) for name, cls in section_types().items()})


def read_environment(dotenv: Path = Path(".env")) -> dict[str, str]:
    """The process environment over the variables of a `.env` file, if there is one."""
    from_file = {k: v for k, v in dotenv_values(dotenv).items() if v is not None} if dotenv.is_file() else {}
    return {**from_file, **os.environ}
