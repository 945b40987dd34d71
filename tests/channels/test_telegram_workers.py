"""Two workers behind one balancer: a press is judged by the keyboard that was sent, not by
which worker sent it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import update

from bot.app import App, build_app
from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.receive import Press
from bot.channels.telegram.render import (
    MAX_CALLBACK_BYTES,
    callback_data,
    keyboard_tag,
    resolve_callback,
    split_callback,
)
from bot.settings import Settings
from storage.crypto import Keyring
from storage.models import TelegramChat
from tests.fakes.bot_api import FakeBotApi
from tests.fakes.bot_api_chat import UserChat, catalog_text
from tests.fakes.telegram_fixtures import api, bot, settings  # noqa: F401 - fixtures

REPORTER = 7373


@pytest.fixture
async def other(settings: Settings, keyring: Keyring, app: App,
                api: FakeBotApi) -> AsyncIterator[TelegramChannel]:
    """The Telegram channel of a second worker on the same database (it gets updates from
    the balancer; here they are handed to it)."""
    second = await build_app(settings, ring=keyring, migrate=False)
    channel = TelegramChannel(second)
    await channel.application.bot.initialize()
    yield channel
    await channel.application.bot.shutdown()
    await second.close()


async def handled_by(channel: TelegramChannel, update: dict) -> None:
    """The worker receives the press (as from its webhook) and handles it."""
    parsed = channel._parse(update)
    assert parsed is not None
    press = parsed[1]
    assert isinstance(press, Press)
    await channel.buttons.press(press, None)


async def not_yet_recorded(app: App) -> None:
    """The database as it is while the first worker has sent a keyboard but not yet recorded
    it: no keyboard known as current."""
    await app.db.write(lambda s: s.execute(update(TelegramChat).values(
        keyboard_message_id=None, keyboard="[]")))


async def test_a_press_reaching_the_worker_that_did_not_send_the_keyboard_is_accepted(
        app: App, api: FakeBotApi, bot: TelegramChannel, other: TelegramChannel):
    chat = UserChat(api, REPORTER)
    await chat.type("/start")
    await chat.sees("menu.greeting")
    menu_id = api.live_messages(REPORTER)[-1]["message_id"]
    await not_yet_recorded(app)

    first = api.press(REPORTER, catalog_text(chat.lang, "menu.complaint"))
    await handled_by(other, first)

    await chat.sees("complaint.ask.category")
    assert all("text" not in answer for answer in api.answered_callbacks.values())

    # the menu's keyboard is old now: pressed again, it is refused politely
    sent_before = len(api.calls_to("sendMessage"))
    data = first["callback_query"]["data"]
    await handled_by(other, api.callback_query(REPORTER, data, message_id=menu_id))
    stale = list(api.answered_callbacks.values())[-1]
    assert "tidak berlaku" in stale["text"]
    assert len(api.calls_to("sendMessage")) == sent_before


def test_tagged_callback_data_fits_telegrams_64_bytes_and_still_resolves() -> None:
    long_id = "edit:" + "x" * 70
    data = [callback_data(option, i, keyboard_tag(10**9)) for i, option in
            enumerate(("menu:complaint", long_id, "~odd"))]
    assert all(len(d.encode()) <= MAX_CALLBACK_BYTES for d in data)
    offered = ("menu:complaint", long_id, "~odd")
    assert [resolve_callback(d, offered) for d in data] == list(offered)
    assert split_callback(data[0]) == ("menu:complaint", keyboard_tag(10**9))
    assert split_callback("menu:complaint") == ("menu:complaint", None)  # sent before tags
