"""Telegram settings (WBS_TELEGRAM_*); the channel runs when WBS_TELEGRAM_TOKEN is set.

Polling by default; webhook when WBS_PUBLIC_URL is set (see WebSettings). The webhook path
and the `secret_token` are derived from the bot token unless WBS_TELEGRAM_WEBHOOK_SECRET is
set, so restarts keep the same URL without another secret to manage.
"""

from __future__ import annotations

import hashlib
import hmac

from pydantic import SecretStr
from pydantic_settings import BaseSettings

DEFAULT_API_URL = "https://api.telegram.org/bot"


class TelegramSettings(BaseSettings):
    """Bot token, Bot API address, webhook secret and transport tuning."""

    telegram_token: SecretStr | None = None
    telegram_api_url: str = DEFAULT_API_URL
    telegram_webhook_secret: SecretStr | None = None
    telegram_poll_timeout: int = 30
    telegram_pool_size: int = 64
    telegram_keep_originals: bool = False
    telegram_rate_per_chat: float = 1.0
    telegram_rate_overall: float = 30.0

    @property
    def telegram_enabled(self) -> bool:
        """True when a bot token is configured."""
        return bool(self.telegram_token and self.telegram_token.get_secret_value())

    def telegram_urls(self) -> tuple[str, str]:
        """(base_url, base_file_url) for PTB: ".../bot" and ".../file/bot" (token appended)."""
        base = self.telegram_api_url.rstrip("/")
        root = base.removesuffix("/bot")
        return f"{root}/bot", f"{root}/file/bot"

    def telegram_secret(self) -> str:
        """The webhook secret_token: configured, or HMAC-SHA256(token, purpose) in hex."""
        if self.telegram_webhook_secret is not None:
            return self.telegram_webhook_secret.get_secret_value()
        token = self.telegram_token.get_secret_value() if self.telegram_token else ""
        return hmac.new(token.encode(), b"wbs telegram webhook", hashlib.sha256).hexdigest()

    def telegram_webhook_path(self) -> str:
        """The secret path Telegram posts to (a different derivation than the header secret)."""
        digest = hashlib.sha256(f"path:{self.telegram_secret()}".encode()).hexdigest()[:32]
        return f"/telegram/{digest}"
