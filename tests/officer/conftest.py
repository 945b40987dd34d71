"""The officer side end to end: the real Telegram channel and the team channel polling the
fake Bot API, a citizen in a private chat and officers in a forum supergroup."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.app import App
from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.limits import Rates
from bot.channels.telegram.officers.receive import TelegramOfficers
from bot.settings import Settings
from storage import officers
from tests.fakes.bot_api import FakeBotApi
from tests.fakes.bot_api_chat import UserChat, serving, telegram_settings
from tests.fakes.bot_api_messages import ApiError
from tests.fakes.telegram_fixtures import walk_to_evidence

OFFICERS = -1001000000001
ESCALATION = -1001000000002
OFFICER, ADMIN, STRANGER = 501, 502, 777
REPORTER = 4242
OFFICER_NAME = "Budi Santoso"
FAST = Rates(private_per_s=1000, private_burst=1000, group_per_s=1000, group_burst=1000,
             overall_per_s=1000, overall_burst=1000)


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    """The fake Bot API; like Telegram, it refuses messages to a deleted forum topic."""
    async with FakeBotApi() as fake:
        send = fake.message_handlers()["sendMessage"]

        def checked(params: dict[str, Any], files: dict) -> Any:
            thread = params.get("message_thread_id")
            if thread is not None and (params["chat_id"], thread) not in fake.topics:
                raise ApiError(400, "Bad Request: message thread not found")
            return send(params, files)

        fake.register("sendMessage", checked)
        fake.plain_groups = set()  # chats that are groups without topics
        fake.register("getChat", lambda params, files: full_chat(fake, params["chat_id"]))
        yield fake


def full_chat(api: FakeBotApi, chat_id: int) -> dict[str, Any]:
    """getChat's ChatFullInfo (PTB needs every required field); a plain group is no forum."""
    info = api.chat(chat_id) | {"accent_color_id": 0, "max_reaction_count": 11}
    if chat_id in api.plain_groups:
        info["is_forum"] = False
    return info


@pytest.fixture
def settings(settings: Settings, api: FakeBotApi) -> Settings:
    """Telegram on the fake, an officers' forum and an escalation chat."""
    return telegram_settings(settings, api, officers={"chat_id": OFFICERS,
                             "escalation_chat_id": ESCALATION}, office={"team_name": "UPG"})


@pytest.fixture
async def team(app: App, api: FakeBotApi) -> AsyncIterator[TelegramOfficers]:
    """The Telegram channel and the team channel running as `wbs run` runs them, with one
    officer and one admin on the allow-list."""
    async with running_desk(app, api) as desk:
        yield desk


@pytest.fixture
async def plain_team(app: App, api: FakeBotApi) -> AsyncIterator[TelegramOfficers]:
    """The same, with the officers' chat a plain group (no topics)."""
    api.plain_groups.add(OFFICERS)
    create = api.message_handlers()["createForumTopic"]

    def refuse(params: dict[str, Any], files: dict) -> Any:
        if params["chat_id"] in api.plain_groups:
            raise ApiError(400, "Bad Request: the chat is not a forum")
        return create(params, files)

    api.register("createForumTopic", refuse)
    async with running_desk(app, api) as desk:
        yield desk


@contextlib.asynccontextmanager
async def running_desk(app: App, api: FakeBotApi) -> AsyncIterator[TelegramOfficers]:
    """Allow-list the officers, then run both channels until the block ends."""
    now = app.services.clock()
    await app.db.write(lambda s: officers.add_officer(
        session=s, telegram_user_id=OFFICER, role="officer", name=OFFICER_NAME, now=now,
        username="budi"))
    await app.db.write(lambda s: officers.add_officer(
        session=s, telegram_user_id=ADMIN, role="admin", name="Sari", now=now))
    telegram = TelegramChannel(app, rates=FAST)
    desk = TelegramOfficers(app, telegram)
    async with serving(app, [telegram, desk], api):
        yield desk


async def file_complaint(chat: UserChat, *, concerns_team: bool = False,
                         **answers: str) -> tuple[str, str]:
    """Walk the complaint flow in the private chat (`answers`: chronology=, who=); the
    receipt's code and secret."""
    await walk_to_evidence(chat, concerns_team=concerns_team, **answers)
    await chat.press("common.nav.skip")
    await chat.sees("complaint.ask.elsewhere")
    await chat.press("common.yesno.tidak")
    await chat.sees("common.summary.title")
    await chat.press("common.summary.submit")
    receipt = await chat.sees("Kode Laporan")
    code = re.search(r"WBS-[A-Z0-9]{4}-[A-Z0-9]{4}", receipt)
    secret = re.search(r"(?:Kata sandi|Secret): (\S+)", receipt)
    assert code, receipt
    assert secret, receipt
    return code.group(0), secret.group(1)


async def add_information(chat: UserChat, code: str, secret: str, text: str) -> None:
    """Come back with code and secret and add information (no files)."""
    await chat.type("/cek")
    await chat.sees("status.ask.code")
    await chat.type(code)
    await chat.sees("status.ask.secret")
    await chat.type(secret)
    await chat.sees("status.ask.action")
    await chat.press("status.action.add")
    await chat.sees("status.ask.info")
    await chat.type(text)
    await chat.sees("status.ask.files")
    await chat.press("common.nav.skip")


async def topic_of(api: FakeBotApi, code: str, chat_id: int = OFFICERS) -> int:
    """Wait for the ticket's forum topic and its header; the topic's thread id."""
    def found() -> int | None:
        return next((thread for (chat, thread), t in api.topics.items()
                     if chat == chat_id and t["name"].startswith(code)), None)

    thread = await api.wait_until(found)
    await bot_says(api, chat_id, code, thread)
    return thread


def texts_in(api: FakeBotApi, chat_id: int, thread: int | None = None) -> list[str]:
    """What the bot sent to a chat (and topic), in order."""
    return [c.params["text"] for c in api.calls_to("sendMessage")
            if c.params.get("chat_id") == chat_id
            and (thread is None or c.params.get("message_thread_id") == thread)]


async def bot_says(api: FakeBotApi, chat_id: int, text: str, thread: int | None = None) -> str:
    """Wait until the bot sent a message containing `text` to the chat (and topic)."""
    return await api.wait_until(
        lambda: next((t for t in texts_in(api, chat_id, thread) if text in t), None))


def officer_says(api: FakeBotApi, text: str, *, thread: int | None, user: int = OFFICER,
                 chat_id: int = OFFICERS, **extra: Any) -> dict[str, Any]:
    """An officer (or anyone) writes in the officers' chat."""
    update = api.text_message(chat_id, text, user_id=user, message_thread_id=thread)
    if extra.get("reply_to") is not None:
        update["message"]["reply_to_message"] = extra["reply_to"]
    api.push(update)
    return update
