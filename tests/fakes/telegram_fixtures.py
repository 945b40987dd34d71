"""Fixtures for tests of the real Telegram channel against the fake Bot API (polling mode),
and the complaint walk those tests share.

Import them into a test module: `from tests.fakes.telegram_fixtures import api, bot, settings`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.app import App
from bot.channels.telegram.channel import TelegramChannel
from bot.settings import Settings
from tests.fakes.bot_api import FakeBotApi
from tests.fakes.bot_api_chat import UserChat, serving, telegram_settings

CHRONOLOGY = "Petugas loket meminta uang tambahan Rp500.000 agar paspor saya cepat selesai."
LOCATION = "Loket paspor lantai 1"


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


async def walk_to_evidence(chat: UserChat, *, concerns_team: bool = False,
                           chronology: str = CHRONOLOGY,
                           who: str = "Petugas loket 3, pria berkacamata") -> None:
    """Tap and type through the complaint flow up to the evidence step."""
    await chat.type("/start")
    await chat.sees("menu.greeting")
    await chat.press("menu.complaint")
    await chat.sees("complaint.ask.category")
    await chat.press("complaint.category.pungli")
    await chat.sees("complaint.ask.what")
    await chat.type(chronology)
    await chat.sees("complaint.ask.who")
    await chat.type(who)
    await chat.sees("complaint.ask.concerns_team")
    await chat.press("common.yesno.ya" if concerns_team else "common.yesno.tidak")
    await chat.sees("complaint.ask.when")
    await chat.type("kemarin")
    await chat.sees("complaint.ask.where")
    await chat.type(LOCATION)
    await chat.sees("complaint.ask.amount")
    await chat.type("500rb")
    await chat.sees("complaint.ask.evidence")
