"""Forged webhooks leave no trace; under Telegram's flood control (429 + retry_after) every
queued message to a reporter still arrives, once, in order per chat."""

from __future__ import annotations

import json

import aiohttp
from sqlalchemy import func, select
from sqlmodel import SQLModel

from bot.app import App
from bot.channels.telegram.channel import SECRET_HEADER
from bot.channels.whatsapp.receive import SIGNATURE_HEADER, sign
from storage import outbox
from tests.channels.whatsapp_harness import APP_SECRET
from tests.fakes.bot_api import FakeBotApi
from tests.fakes.graph_api import FakeGraphAPI, Sender, messages_from


async def row_counts(app: App) -> dict[str, int]:
    """Rows in every table."""

    async def run(session) -> dict[str, int]:
        return {name: await session.scalar(select(func.count()).select_from(table))
                for name, table in SQLModel.metadata.tables.items()}

    return await app.db.read(run)


async def test_forged_webhooks_are_refused_and_leave_no_trace(
        app: App, api: FakeBotApi, graph: FakeGraphAPI, both: str):
    s = app.settings
    base = s.web.public_url
    before = await row_counts(app)
    telegram_body = json.dumps(api.text_message(4711, "/start")).encode()
    whatsapp_body = json.dumps(messages_from(Sender(), Sender().text("/start"))).encode()
    other_body = json.dumps(messages_from(Sender(), Sender().text("lain"))).encode()
    right = s.telegram.secret()
    forged = [
        (s.telegram.webhook_path(), telegram_body, {}),
        (s.telegram.webhook_path(), telegram_body, {SECRET_HEADER: ""}),
        (s.telegram.webhook_path(), telegram_body, {SECRET_HEADER: right[:-1]}),
        (s.telegram.webhook_path(), telegram_body, {SECRET_HEADER: right.upper()}),
        (s.telegram.webhook_path(), telegram_body, {SECRET_HEADER: "wrong-secret"}),
        (s.whatsapp.webhook_path, whatsapp_body, {}),
        (s.whatsapp.webhook_path, whatsapp_body, {SIGNATURE_HEADER: "sha256=zz"}),
        (s.whatsapp.webhook_path, whatsapp_body, {SIGNATURE_HEADER: sign("other", whatsapp_body)}),
        (s.whatsapp.webhook_path, whatsapp_body, {SIGNATURE_HEADER: sign(APP_SECRET, other_body)}),
    ]
    async with aiohttp.ClientSession() as http:
        for path, body, auth in forged:
            headers = {"Content-Type": "application/json", **auth}
            async with http.post(base + path, data=body, headers=headers) as resp:
                assert resp.status in (401, 403), (path, auth)

    assert await row_counts(app) == before
    assert api.calls_to("sendMessage") == []
    assert graph.sent == []


async def test_replies_queued_under_flood_control_all_arrive_in_order_per_chat(
        app: App, api: FakeBotApi, both: str):
    svc = app.services
    chats = [8_100_001, 8_100_002, 8_100_003]
    texts = {chat: [f"Balasan petugas {n} untuk {chat % 1000}" for n in range(4)] for chat in chats}
    api.rate_limit_share(0.35, retry_after=1, seed=3)

    async def queue(session) -> None:
        for n in range(4):
            for chat in chats:
                await outbox.enqueue(session=session, ring=svc.ring, channel="telegram",
                                     handle=str(chat), purpose="ticket:officer_reply",
                                     payload={"text": texts[chat][n]}, now=svc.clock())

    await app.db.write(queue)
    svc.poke_outbox()

    def delivered() -> bool:
        return all(len(api.sent_texts(chat)) >= 4 for chat in chats)

    await api.wait_until(delivered, timeout=60)
    assert [c for c in api.calls if c.status == 429], "the fake never pushed back"
    for chat in chats:
        assert api.sent_texts(chat) == texts[chat]
