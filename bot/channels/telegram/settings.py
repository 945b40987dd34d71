"""Telegram settings (`settings.telegram`, WBS_TELEGRAM_*); the channel runs when a token is set.

Polling by default; webhook when WBS_PUBLIC_URL is set (see WebSettings). The webhook path
and the `secret_token` are derived from the bot token unless WBS_TELEGRAM_WEBHOOK_SECRET is
set, so restarts keep the same URL without another secret to manage.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from pydantic import ConfigDict, SecretStr, field_validator

from storage.settings import Section, env_names

DEFAULT_API_URL = "https://api.telegram.org/bot"
# Telegram accepts 1-256 characters of A-Z a-z 0-9 _ - (Bot API setWebhook, secret_token);
# we ask for at least 32 so the header cannot be guessed.
SECRET_ALPHABET = re.compile(r"[A-Za-z0-9_-]+")
SECRET_MIN, SECRET_MAX = 32, 256


class TelegramSettings(Section):
    """Bot token, Bot API address, webhook secret and transport tuning."""

    # A refused value must never be echoed in the error (it is a secret).
    model_config = ConfigDict(**env_names("WBS_TELEGRAM_"), hide_input_in_errors=True)

    token: SecretStr | None = None
    api_url: str = DEFAULT_API_URL
    webhook_secret: SecretStr | None = None
    poll_timeout: int = 30
    pool_size: int = 64
    keep_originals: bool = False
    rate_per_chat: float = 1.0
    rate_overall: float = 30.0
    rate_group: float = 20 / 60  # per group chat (Telegram: 20 messages a minute)

    @field_validator("webhook_secret")
    @classmethod
    def _usable_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        secret = value.get_secret_value()
        if not SECRET_MIN <= len(secret) <= SECRET_MAX or not SECRET_ALPHABET.fullmatch(secret):
            raise ValueError(
                f"WBS_TELEGRAM_WEBHOOK_SECRET must be {SECRET_MIN}-{SECRET_MAX} characters of "
                "A-Z a-z 0-9 _ - (Telegram's alphabet); generate one with "
                "`python -c \"import secrets; print(secrets.token_urlsafe(32))\"` "
                "or leave it empty to derive it from the bot token")
        return value

    @property
    def enabled(self) -> bool:
        """True when a bot token is configured."""
        return bool(self.token and self.token.get_secret_value())

    def urls(self) -> tuple[str, str]:
        """(base_url, base_file_url) for PTB: ".../bot" and ".../file/bot" (token appended)."""
        base = self.api_url.rstrip("/")
        root = base.removesuffix("/bot")
        return f"{root}/bot", f"{root}/file/bot"

    def secret(self) -> str:
        """The webhook secret_token: configured, or HMAC-SHA256(token, purpose) in hex."""
        if self.webhook_secret is not None:
            return self.webhook_secret.get_secret_value()
        token = self.token.get_secret_value() if self.token else ""
        return hmac.new(token.encode(), b"wbs telegram webhook", hashlib.sha256).hexdigest()

    def webhook_path(self) -> str:
        """The secret path Telegram posts to (a different derivation than the header secret)."""
        digest = hashlib.sha256(f"path:{self.secret()}".encode()).hexdigest()[:32]
        return f"/telegram/{digest}"
