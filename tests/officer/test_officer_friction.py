"""What officers read and press is words, not stored values; outsiders learn privately why
the bot ignores them."""

from __future__ import annotations

from typing import Any

from bot.app import App
from bot.channels.telegram.officers.receive import TelegramOfficers
from handlers import i18n
from handlers.statuses import Status, status_key
from tests.fakes.bot_api import FakeBotApi
from tests.fakes.bot_api_chat import UserChat
from tests.fakes.bot_api_messages import ApiError
from tests.officer.conftest import (
    OFFICERS,
    REPORTER,
    STRANGER,
    add_information,
    bot_says,
    file_complaint,
    officer_says,
    texts_in,
    topic_of,
)


def status_menu(api: FakeBotApi, thread: int) -> list[list[str]]:
    """The rows of button labels of the newest status menu in the topic."""
    menus = [c.params for c in api.calls_to("sendMessage")
             if c.params.get("message_thread_id") == thread and "Pilih status" in c.params["text"]]
    markup = menus[-1]["reply_markup"]
    rows = markup["inline_keyboard"] if isinstance(markup, dict) else markup.inline_keyboard
    return [[b["text"] if isinstance(b, dict) else b.text for b in row] for row in rows]


def word(status: Status) -> str:
    """A status as officers read it."""
    return i18n.t("id", status_key(status))


async def test_view_shows_the_words_of_choices_and_no_empty_attachment_count(
        app: App, api: FakeBotApi, team: TelegramOfficers):
    chat = UserChat(api, REPORTER)
    code, secret = await file_complaint(chat)
    thread = await topic_of(api, code)

    officer_says(api, "/lihat", thread=thread)
    view = await bot_says(api, OFFICERS, "Petugas loket meminta", thread)

    assert "Pungli / permintaan imbalan" in view
    assert ": Tidak" in view
    assert ": pungli" not in view
    assert ": tidak" not in view
    assert "Lampiran: 0" not in view

    await add_information(chat, code, secret, "Kejadian terulang hari ini di loket yang sama.")
    follow_up = await bot_says(api, OFFICERS, "Kejadian terulang hari ini", thread)
    assert "lampiran" not in follow_up


async def test_status_menu_offers_only_where_the_ticket_can_go_in_two_columns_at_most(
        app: App, api: FakeBotApi, team: TelegramOfficers):
    code, _ = await file_complaint(UserChat(api, REPORTER))
    thread = await topic_of(api, code)

    officer_says(api, "/status", thread=thread)
    await bot_says(api, OFFICERS, "Pilih status baru", thread)
    rows = status_menu(api, thread)
    labels = [label for row in rows for label in row]
    assert all(len(row) <= 2 for row in rows)
    assert word(Status.RECEIVED) not in labels  # the current status
    assert word(Status.DONE) not in labels  # not before it was verified or worked on
    assert word(Status.VERIFYING) in labels

    officer_says(api, "/status selesai", thread=thread)
    await bot_says(api, OFFICERS, "Status", thread)
    officer_says(api, "/status", thread=thread)
    await api.wait_until(lambda: len([c for c in api.calls_to("sendMessage")
                                      if "Pilih status" in c.params["text"]]) == 2)
    assert [label for row in status_menu(api, thread) for label in row] == [
        word(Status.IN_PROGRESS)]  # a closed ticket can only be reopened


async def test_an_outsider_in_the_group_gets_one_private_hint_with_their_user_id(
        app: App, api: FakeBotApi, team: TelegramOfficers):
    code, _ = await file_complaint(UserChat(api, REPORTER))
    thread = await topic_of(api, code)
    before_group = len(texts_in(api, OFFICERS))

    officer_says(api, "Halo, ada yang bisa dibantu?", thread=thread, user=STRANGER)
    hint = await bot_says(api, STRANGER, str(STRANGER))
    officer_says(api, "Halo lagi", thread=thread, user=STRANGER)
    officer_says(api, "/bantuan", thread=thread)  # a real officer afterwards: a marker
    await bot_says(api, OFFICERS, "Perintah petugas", thread)

    assert "admin" in hint
    assert len(texts_in(api, STRANGER)) == 1
    assert len(texts_in(api, OFFICERS)) == before_group + 1  # the marker's answer only


async def test_an_outsider_who_never_started_the_bot_is_not_told_in_the_group(
        app: App, api: FakeBotApi, team: TelegramOfficers):
    send = api.message_handlers()["sendMessage"]
    refused: list[int] = []

    def private_refused(params: dict[str, Any], files: dict) -> Any:
        if params["chat_id"] == STRANGER:
            refused.append(STRANGER)
            raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        return send(params, files)

    code, _ = await file_complaint(UserChat(api, REPORTER))
    thread = await topic_of(api, code)
    api.register("sendMessage", private_refused)
    before_group = len(texts_in(api, OFFICERS))

    officer_says(api, "Halo semua", thread=thread, user=STRANGER)
    await api.wait_until(lambda: refused)
    officer_says(api, "/bantuan", thread=thread)
    await bot_says(api, OFFICERS, "Perintah petugas", thread)

    assert len(texts_in(api, OFFICERS)) == before_group + 1
