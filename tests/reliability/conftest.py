"""The real Telegram channel in webhook mode against the feature-complete fake Bot API."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.app import App
from bot.channels.telegram import TelegramChannel
from bot.settings import Settings
from tests.fakes.bot_api import FakeBotApi
from tests.fakes.bot_api_chat import free_port, serving, telegram_settings


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    """The fake Bot API on loopback."""
    async with FakeBotApi() as fake:
        yield fake


@pytest.fixture
def settings(settings: Settings, api: FakeBotApi) -> Settings:
    """Webhook mode: WBS_PUBLIC_URL points at our own listener."""
    port = free_port()
    return telegram_settings(settings, api, listen_port=port, public_url=f"http://127.0.0.1:{port}")


@pytest.fixture
async def telegram(app: App, api: FakeBotApi) -> AsyncIterator[TelegramChannel]:
    """The channel served as `wbs run` serves it (web server, outbox sender)."""
    channel = TelegramChannel(app)
    async with serving(app, [channel], api):
        yield channel
