"""Webhook mode (WBS_PUBLIC_URL set): the fake Bot API posts updates to our aiohttp server."""

from __future__ import annotations

import aiohttp
import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.channels.telegram.channel import TelegramChannel
from bot.settings import Settings
from storage.models import InboxItem
from tests.fakes.bot_api import FakeBotApi
from tests.fakes.bot_api_chat import UserChat, catalog_text, free_port, telegram_settings
from tests.fakes.telegram_fixtures import api, bot  # noqa: F401 - fixtures


@pytest.fixture
def settings(settings: Settings, api: FakeBotApi) -> Settings:
    port = free_port()
    return telegram_settings(settings, api, web={"listen_port": port,
                             "public_url": f"http://127.0.0.1:{port}"})


async def inbox_count(app: App) -> int:
    return await app.db.read(lambda s: s.scalar(select(func.count()).select_from(InboxItem)))


async def test_webhook_is_registered_with_a_secret_path_and_token(app: App, api: FakeBotApi,
                                                                  bot: TelegramChannel):
    assert api.webhook["url"] == f"{app.settings.web.public_url}{app.settings.telegram.webhook_path()}"
    assert len(api.webhook["secret_token"]) >= 32
    assert api.webhook["allowed_updates"] == ["message", "callback_query"]
    assert not api.webhook.get("drop_pending_updates")
    assert api.calls_to("getUpdates") == []


async def test_update_with_the_right_secret_gets_a_reply(api: FakeBotApi, bot: TelegramChannel):
    status = await api.deliver(api.text_message(4242, "/start"))

    assert status == 200
    await UserChat(api, 4242).sees("menu.greeting")


@pytest.mark.parametrize("secret", [None, "", "wrong-secret"])
async def test_wrong_or_missing_secret_is_refused_and_nothing_is_stored(
        app: App, api: FakeBotApi, bot: TelegramChannel, secret):
    status = await api.deliver(api.text_message(4242, "/start"), secret=secret)

    assert status == 403
    assert await inbox_count(app) == 0
    assert api.calls_to("sendMessage") == []


async def test_same_update_posted_twice_has_one_effect(app: App, api: FakeBotApi,
                                                       bot: TelegramChannel):
    update = api.text_message(5151, "/start")

    assert [await api.deliver(update), await api.deliver(update)] == [200, 200]
    assert await api.deliver(api.text_message(5151, "/bahasa")) == 200
    await UserChat(api, 5151).sees("common.language.ask")

    greeting = catalog_text("id", "menu.greeting")
    assert len([t for t in api.sent_texts(5151) if greeting in t]) == 1
    assert await inbox_count(app) == 2


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'{"update_id": "x"}', b"{}"])
async def test_malformed_body_with_the_right_secret_is_a_client_error(
        app: App, api: FakeBotApi, bot: TelegramChannel, body):
    assert await api.deliver(body) == 400
    assert await inbox_count(app) == 0


async def test_guessing_the_path_finds_nothing(app: App, api: FakeBotApi, bot: TelegramChannel):
    url = f"{app.settings.web.public_url}/telegram/webhook"
    async with aiohttp.ClientSession() as session, session.post(url, json={"update_id": 1}) as resp:
        assert resp.status == 404


async def test_presses_stop_the_spinner_once_and_a_stale_one_still_says_why(
        api: FakeBotApi, bot: TelegramChannel):
    chat = UserChat(api, 6262)
    assert await api.deliver(api.text_message(6262, "/start")) == 200
    await chat.sees("menu.greeting")
    menu_id = api.live_messages(6262)[-1]["message_id"]
    menu = api.press(6262, catalog_text("id", "menu.complaint"))

    assert await api.deliver(menu) == 200  # answered within the webhook's response
    await chat.sees("complaint.ask.category")
    stale = api.callback_query(6262, "menu:complaint", message_id=menu_id)
    assert await api.deliver(stale) == 200
    await api.wait_until(lambda: len(api.answered_callbacks) == 2)

    answers = api.calls_to("answerCallbackQuery")
    assert [a.status for a in answers] == [200, 200]  # each press answered once
    assert [a.in_webhook_answer for a in answers] == [True, False]
    assert "text" not in answers[0].params
    assert "tidak berlaku" in answers[1].params["text"]
