"""The inbox keeps what handling a Telegram update needs, never the sender's or chat's names."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select
from telegram import Update

from bot.app import App
from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.receive import trim_update
from bot.settings import Settings
from storage.crypto import unseal_ephemeral
from storage.models import InboxItem
from storage.models.inbox import INBOX_PAYLOAD
from tests.fakes.bot_api import FakeBotApi
from tests.fakes.bot_api_chat import UserChat, catalog_text, free_port, telegram_settings
from tests.fakes.telegram_fixtures import api, bot  # noqa: F401 - fixtures

REPORTER = 6161
NAMES = ("Siti", "Rahayu", "siti_rahayu88", "Keluarga Rahayu", "rahayu_family")


@pytest.fixture
def settings(settings: Settings, api: FakeBotApi) -> Settings:
    port = free_port()
    return telegram_settings(settings, api, web={"listen_port": port,
                             "public_url": f"http://127.0.0.1:{port}"})


def named(update: dict[str, Any]) -> dict[str, Any]:
    """The update as Telegram sends it for a user with a full profile."""
    kind = update.get("message") or update["callback_query"]
    kind["from"] |= {"first_name": "Siti", "last_name": "Rahayu", "username": "siti_rahayu88"}
    message = kind if "message" in update else kind["message"]
    message["chat"] |= {"first_name": "Siti", "last_name": "Rahayu", "username": "siti_rahayu88"}
    message["sender_chat"] = {"id": -100777, "type": "channel", "title": "Keluarga Rahayu",
                              "username": "rahayu_family"}
    return update


async def stored_payloads(app: App) -> list[bytes]:
    """Every inbox row's payload (handled or not), unsealed."""
    ring = app.services.ring

    async def read(s: Any) -> list[bytes]:
        rows = (await s.scalars(select(InboxItem))).all()
        return [unseal_ephemeral(ring, r.payload, contract=INBOX_PAYLOAD, row_id=r.id) for r in rows]

    return await app.db.read(read)


async def test_names_never_reach_the_inbox_and_the_flow_still_works(
        app: App, api: FakeBotApi, bot: TelegramChannel):
    chat = UserChat(api, REPORTER)
    assert await api.deliver(named(api.text_message(REPORTER, "/start"))) == 200
    await chat.sees("menu.greeting")
    label = catalog_text("id", "menu.complaint")
    assert await api.deliver(named(api.press(REPORTER, label))) == 200
    await chat.sees("complaint.ask.category")
    edits = await api.wait_until(lambda: [c for c in api.calls_to("editMessageText")
                                          if f"✅ {label}" in c.params.get("text", "")])
    assert edits

    payloads = await stored_payloads(app)
    assert len(payloads) == 2
    for payload in payloads:
        text = payload.decode()
        for name in NAMES:
            assert name not in text
        assert str(REPORTER) in text  # the chat id is kept: replies must reach the chat


def test_an_officers_group_update_keeps_ids_commands_and_files_but_no_names(api: FakeBotApi):
    update = api.photo_message(-1001000000001, b"\xff\xd8 kuitansi", caption="/status selesai",
                               user_id=501, message_thread_id=7)
    message = update["message"]
    message["from"] |= {"first_name": "Budi", "last_name": "Santoso", "username": "budi"}
    message["is_topic_message"] = True
    message["caption_entities"] = [
        {"type": "bot_command", "offset": 0, "length": 7},
        {"type": "text_mention", "offset": 8, "length": 7,
         "user": {"id": 9, "is_bot": False, "first_name": "Rina"}}]
    message["reply_to_message"] = {"message_id": 3, "date": 1, "chat": api.chat(-1001000000001),
                                   "from": {"id": 1, "is_bot": True, "first_name": "WBS",
                                            "username": "wbs_test_bot"}, "text": "WBS-7K3M"}
    message["forward_origin"] = {"type": "user", "date": 1,
                                 "sender_user": {"id": 9, "is_bot": False, "first_name": "Rina"}}

    trimmed = trim_update(update)
    parsed = Update.de_json(trimmed, None)

    text = json.dumps(trimmed)
    for name in ("Budi", "Santoso", "budi", "Rina", "wbs_test_bot", "UPG"):
        assert name not in text
    assert parsed.message.from_user.id == 501
    assert parsed.message.chat.id == -1001000000001
    assert parsed.message.message_thread_id == 7
    assert parsed.message.is_topic_message
    assert parsed.message.reply_to_message.message_id == 3
    assert parsed.message.caption == "/status selesai"
    assert [e.type for e in parsed.message.caption_entities] == ["bot_command"]
    assert parsed.message.photo[-1].file_id == message["photo"][-1]["file_id"]
    assert parsed.message.photo[-1].file_size == message["photo"][-1]["file_size"]
