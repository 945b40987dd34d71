"""A failed update is never marked processed silently (issue #19): a transient database error
is tried again, a lasting failure becomes a dead letter that `wbs inbox failed` lists and
`wbs inbox retry` handles, and the officer who acted is told."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

import handlers.officer
from bot.app import App
from bot.channels.inbox import ATTEMPTS
from bot.channels.telegram.officers.receive import TelegramOfficers
from bot.settings import Settings
from storage import tickets
from tests.fakes.bot_api import FakeBotApi
from tests.fakes.bot_api_chat import UserChat
from tests.officer.conftest import (  # noqa: F401 - fixtures
    OFFICERS,
    REPORTER,
    api,
    bot_says,
    file_complaint,
    officer_says,
    settings,
    team,
    texts_in,
    topic_of,
)
from tests.support.dead_letters import file_keyring, inbox_cli, migrated_app  # noqa: F401

REPLY = "Mohon kirim foto kuitansinya ke sini."
NOT_PROCESSED = "Maaf, pesan Anda belum dapat diproses. Silakan coba lagi."


class LockTimeout(Exception):
    """What asyncpg raises when a lock wait ran past `lock_timeout` (not a lost race: the
    officer action itself does not run again, the channel does)."""

    sqlstate = "55P03"


def lock_timeout() -> OperationalError:
    """A lock timeout as SQLAlchemy hands it over."""
    return OperationalError("UPDATE ...", {}, LockTimeout("canceling statement due to lock timeout"))


def failing_relay(monkeypatch: pytest.MonkeyPatch, error: Exception, times: int) -> list[int]:
    """Make relaying an officer's reply raise `error` the first `times` calls; the calls."""
    calls: list[int] = []
    relay = handlers.officer.relay_reply

    async def flaky(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) <= times:
            raise error
        return await relay(*args, **kwargs)

    monkeypatch.setattr(handlers.officer, "relay_reply", flaky)
    return calls


async def officer_replies_in_a_topic(app: App, api: FakeBotApi) -> tuple[str, int]:
    chat = UserChat(api, REPORTER)
    code, _ = await file_complaint(chat)
    thread = await topic_of(api, code)
    return code, thread


async def officer_messages(app: App, code: str) -> int:
    ticket = await app.db.read(lambda s: tickets.find_ticket(session=s, code=code))
    entries = await app.db.read(lambda s: tickets.thread(session=s, ring=app.services.ring,
                                                         ticket=ticket))
    return sum(e.author == "officer" for e in entries)


async def test_officer_reply_that_hit_a_lock_timeout_is_tried_again_and_reaches_the_reporter(
        app: App, api: FakeBotApi, team: TelegramOfficers, monkeypatch: pytest.MonkeyPatch):
    code, thread = await officer_replies_in_a_topic(app, api)
    calls = failing_relay(monkeypatch, lock_timeout(), 1)

    officer_says(api, REPLY, thread=thread)

    await bot_says(api, REPORTER, REPLY)
    await bot_says(api, OFFICERS, "Balasan dikirim ke pelapor", thread)
    assert len(calls) == 2
    assert sum(REPLY in text for text in texts_in(api, REPORTER)) == 1
    assert await officer_messages(app, code) == 1
    assert all(NOT_PROCESSED not in text for text in texts_in(api, OFFICERS))


async def test_officer_reply_that_keeps_failing_is_listed_told_and_replayed_once(
        app: App, api: FakeBotApi, team: TelegramOfficers, settings: Settings,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    code, thread = await officer_replies_in_a_topic(app, api)
    failing_relay(monkeypatch, RuntimeError(REPLY), 1)

    officer_says(api, REPLY, thread=thread)

    await bot_says(api, OFFICERS, NOT_PROCESSED, thread)
    listed = await inbox_cli(settings, capsys, "failed")
    rows = [line.split("\t") for line in listed.splitlines()]
    assert len(rows) == 1
    inbox_id, channel, _, attempts, error = rows[0]
    assert (channel, attempts, error) == ("telegram", "1", "RuntimeError")
    assert REPLY not in listed
    assert all(REPLY not in text for text in texts_in(api, REPORTER))

    monkeypatch.undo()  # the cause is fixed
    assert await inbox_cli(settings, capsys, "retry", inbox_id) == f"{inbox_id}\thandled\n"

    await bot_says(api, REPORTER, REPLY)
    assert sum(REPLY in text for text in texts_in(api, REPORTER)) == 1
    assert await officer_messages(app, code) == 1
    assert await inbox_cli(settings, capsys, "failed") == "no failed updates\n"
    assert await inbox_cli(settings, capsys, "retry", inbox_id) == (
        f"{inbox_id}\tnot a failed update\n")


async def test_an_update_that_keeps_timing_out_becomes_a_dead_letter_after_a_few_tries(
        app: App, api: FakeBotApi, team: TelegramOfficers, settings: Settings,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    _, thread = await officer_replies_in_a_topic(app, api)
    calls = failing_relay(monkeypatch, lock_timeout(), 99)

    officer_says(api, REPLY, thread=thread)

    await bot_says(api, OFFICERS, NOT_PROCESSED, thread)
    rows = [line.split("\t") for line in (await inbox_cli(settings, capsys, "failed")).splitlines()]
    assert [(r[1], r[3], r[4]) for r in rows] == [("telegram", str(ATTEMPTS), "OperationalError")]
    assert len(calls) == ATTEMPTS
    assert sum(NOT_PROCESSED in text for text in texts_in(api, OFFICERS)) == 1


async def test_reporter_whose_message_fails_is_told_in_their_language_in_their_chat(
        app: App, api: FakeBotApi, team: TelegramOfficers, settings: Settings,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr(app.engine, "handle", broken)
    chat = UserChat(api, REPORTER, lang="en")

    await chat.type("I want to report something")

    assert await chat.sees("Sorry, your message could not be processed. Please try again.")
    listed = await inbox_cli(settings, capsys, "failed")
    assert [row.split("\t")[4] for row in listed.splitlines()] == ["RuntimeError"]
    assert "report something" not in listed


async def test_button_press_that_fails_is_not_marked_processed_and_the_reporter_is_told(
        app: App, api: FakeBotApi, team: TelegramOfficers, settings: Settings,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    chat = UserChat(api, REPORTER)
    await chat.type("/start")
    await chat.sees("menu.greeting")

    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr(app.engine, "handle", broken)
    await chat.press("menu.complaint")

    assert await chat.sees(NOT_PROCESSED)
    listed = await inbox_cli(settings, capsys, "failed")
    assert [row.split("\t")[4] for row in listed.splitlines()] == ["RuntimeError"]
