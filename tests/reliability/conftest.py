"""The real channels in webhook mode against the fake Bot API and the fake Graph API."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.app import App
from bot.channels.telegram.channel import TelegramChannel
from bot.channels.whatsapp.channel import WhatsAppChannel
from bot.settings import Settings
from tests.channels.whatsapp_harness import graph_fixture, whatsapp_settings  # noqa: F401 - graph
from tests.fakes.bot_api import FakeBotApi
from tests.fakes.bot_api_chat import free_port, serving, telegram_settings
from tests.fakes.graph_api import FakeGraphAPI


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    """The fake Bot API on loopback."""
    async with FakeBotApi() as fake:
        yield fake


@pytest.fixture
def settings(settings: Settings, api: FakeBotApi, graph: FakeGraphAPI) -> Settings:
    """Telegram in webhook mode (WBS_PUBLIC_URL is our own listener) and WhatsApp."""
    port = free_port()
    return whatsapp_settings(telegram_settings(settings, api, web={
        "listen_port": port, "public_url": f"http://127.0.0.1:{port}"}), graph)


@pytest.fixture
async def telegram(app: App, api: FakeBotApi) -> AsyncIterator[TelegramChannel]:
    """The Telegram channel served as `wbs run` serves it (web server, outbox sender)."""
    channel = TelegramChannel(app)
    async with serving(app, [channel], api):
        yield channel


@pytest.fixture
async def both(app: App, api: FakeBotApi) -> AsyncIterator[str]:
    """Both channels behind the one web server; yields its base URL."""
    # WhatsApp starts first: `serving` returns once Telegram has registered its webhook
    async with serving(app, [WhatsAppChannel(app), TelegramChannel(app)], api):
        yield app.settings.web.public_url or ""
