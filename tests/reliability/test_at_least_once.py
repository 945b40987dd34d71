"""At-least-once delivery: Telegram may post every update twice, and chats interleave in any
order. Each update must still count once: one ticket, one thread message, one set of replies."""

from __future__ import annotations

import asyncio
import random
from typing import Any

from sqlalchemy import func, select

from bot.app import App
from bot.channels.telegram.channel import TelegramChannel
from storage.models import Ticket, TicketMessage
from tests.fakes.bot_api import FakeBotApi
from tests.reliability.webchat import normalised, walk_all

TWICE = [7_100_000_001 + i for i in range(5)]
ONCE = 7_200_000_001


async def count(app: App, model: Any) -> int:
    return await app.db.read(lambda s: s.scalar(select(func.count()).select_from(model)))


async def test_updates_delivered_twice_out_of_order_count_once(
        app: App, api: FakeBotApi, telegram: TelegramChannel):
    rng = random.Random(5)

    async def deliver(updates: list[tuple[int, dict[str, Any]]]) -> None:
        posts = [u for chat, u in updates for _ in range(1 if chat == ONCE else 2)]
        rng.shuffle(posts)  # copies and chats in any order, some posted while others run
        statuses = await asyncio.gather(*(api.deliver(u) for u in posts))
        assert set(statuses) == {200}
        late = [u for chat, u in updates if chat != ONCE]
        await asyncio.sleep(0.05)
        assert {await api.deliver(u) for u in late} == {200}  # a third, late redelivery

    await walk_all(api, [*TWICE, ONCE], deliver)

    assert await count(app, Ticket) == len(TWICE) + 1
    assert await count(app, TicketMessage) == len(TWICE) + 1  # one follow-up each
    reference = normalised(api.sent_texts(ONCE))
    for chat in TWICE:
        assert normalised(api.sent_texts(chat)) == reference
