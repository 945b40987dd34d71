"""A reply that went through the outbox keeps Telegram's message id on its outbox row, so a
resend (after a worker died between sending and marking) can be told apart afterwards."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from bot.app import App
from bot.channels.telegram.channel import TelegramChannel
from storage.models import OutboxItem
from tests.fakes.bot_api import FakeBotApi
from tests.fakes.bot_api_chat import UserChat
from tests.fakes.telegram_fixtures import (  # noqa: F401 - api, bot, settings are fixtures
    api,
    bot,
    settings,
)


async def test_a_reply_delivered_by_the_outbox_records_telegrams_message_id(
        app: App, api: FakeBotApi, bot: TelegramChannel):
    api.rate_limit_next(1, retry_after=1, methods={"sendMessage"})
    chat = UserChat(api, 8282)

    await chat.type("/start")
    await chat.sees("menu.greeting")

    for _ in range(200):  # the chat may see the greeting before the row is marked
        [row] = await app.db.read(lambda s: s.scalars(select(OutboxItem)))
        if row.delivered_at is not None:
            break
        await asyncio.sleep(0.02)
    greeting = api.live_messages(8282)[-1]
    assert row.delivered_at is not None
    assert row.claimed_by is None
    assert row.sent_ids == str(greeting["message_id"])
