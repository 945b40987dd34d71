"""Fixtures for tests of the real Telegram channel against the fake Bot API (polling mode).

Import them into a test module: `from tests.fakes.telegram_fixtures import api, bot, settings`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.app import App
from bot.channels.telegram import TelegramChannel
from bot.settings import Settings
from tests.fakes.bot_api import FakeBotApi
from tests.fakes.bot_api_chat import serving, telegram_settings


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    """The fake Bot API on loopback."""
    async with FakeBotApi() as fake:
        yield fake


@pytest.fixture
def settings(settings: Settings, api: FakeBotApi) -> Settings:
    """The test settings, with the Telegram channel pointed at the fake."""
    return telegram_settings(settings, api)


@pytest.fixture
async def bot(app: App, api: FakeBotApi) -> AsyncIterator[TelegramChannel]:
    """The Telegram channel served as `wbs run` serves it."""
    channel = TelegramChannel(app)
    async with serving(app, [channel], api):
        yield channel
