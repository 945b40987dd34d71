"""The Telegram channel end to end: the real PTB Application (aiohttp transport) polling the
fake Bot API on loopback, the engine and storage behind it."""

from __future__ import annotations

import re
from io import BytesIO

from PIL import ExifTags, Image
from sqlalchemy import func, select

from bot.app import App
from bot.channels.telegram.channel import TelegramChannel
from storage import tickets
from storage.models import InboxItem
from tests.fakes.bot_api import FakeBotApi
from tests.fakes.bot_api_chat import UserChat, catalog_text
from tests.fakes.telegram_fixtures import (  # noqa: F401 - api, bot, settings are fixtures
    CHRONOLOGY,
    api,
    bot,
    settings,
    walk_to_evidence,
)

GPS = {1: "S", 2: (6.0, 10.0, 30.0), 3: "E", 4: (106.0, 49.0, 0.0)}


def phone_photo() -> bytes:
    """A JPEG with the camera model and the GPS position a phone writes into it."""
    exif = Image.Exif()
    exif[0x0110] = "Pixel 7"
    exif[ExifTags.IFD.GPSInfo] = GPS
    out = BytesIO()
    Image.new("RGB", (64, 48), (30, 120, 200)).save(out, "JPEG", exif=exif)
    return out.getvalue()


async def submit_with_photo(chat: UserChat) -> str:
    """Send the photo, finish the flow and return the receipt text."""
    await chat.send_photo(phone_photo())
    await chat.sees("common.files.received")
    await chat.press("common.nav.done")
    await chat.sees("complaint.ask.elsewhere")
    await chat.press("common.yesno.tidak")
    await chat.sees("common.summary.title")
    await chat.press("common.summary.submit")
    return await chat.sees("Kode Laporan")


async def test_citizen_reports_with_buttons_and_a_photo_and_gets_a_receipt(
        app: App, api: FakeBotApi, bot: TelegramChannel):
    chat = UserChat(api, 4242)
    await walk_to_evidence(chat)
    receipt = await submit_with_photo(chat)

    code = re.search(r"WBS-[A-Z0-9]{4}-[A-Z0-9]{4}", receipt).group(0)
    assert "Kata sandi" in receipt
    presses = api.calls_to("answerCallbackQuery")
    assert len(presses) == len(api.answered_callbacks) == 6  # every spinner stopped

    async def stored(session):
        ticket = await tickets.find_ticket(session=session, code=code)
        return ticket, await tickets.attachments(session=session, ring=app.services.ring,
                                                 ticket=ticket)

    ticket, files = await app.db.read(stored)
    assert ticket.category == "pungli"
    assert ticket.channel == "telegram"
    (photo,) = files
    image = Image.open(BytesIO(photo.data))
    assert image.format == "JPEG"
    assert dict(image.getexif()) == {}  # no GPS, no camera model in the stored copy
    assert b"Pixel 7" not in photo.data


async def test_receipt_offers_and_performs_transcript_deletion(api: FakeBotApi,
                                                               bot: TelegramChannel):
    chat = UserChat(api, 5151)
    await walk_to_evidence(chat)
    await submit_with_photo(chat)
    shown_before = [m["message_id"] for m in api.live_messages(5151)]

    await chat.press("telegram.transcript.button")
    await chat.sees("telegram.transcript.confirm")
    await chat.press("telegram.transcript.yes")
    await chat.sees("telegram.transcript.deleted")

    deleted = [i for c in api.calls_to("deleteMessages") for i in c.params["message_ids"]]
    assert set(shown_before) <= set(deleted)  # both sides: the user's messages and the bot's
    (remaining,) = api.live_messages(5151)
    assert "/cek" in remaining["text"]


async def test_user_can_keep_the_transcript(api: FakeBotApi, bot: TelegramChannel):
    chat = UserChat(api, 5252)
    await chat.type("/hapus")
    await chat.sees("telegram.transcript.confirm")
    await chat.press("telegram.transcript.no")
    await api.wait_until(lambda: len(api.answered_callbacks) == 1)

    assert api.calls_to("deleteMessages") == []
    assert any(m.get("text") == "/hapus" for m in api.live_messages(5252))


async def test_stale_button_is_answered_politely_and_changes_nothing(api: FakeBotApi,
                                                                     bot: TelegramChannel):
    chat = UserChat(api, 6161)
    await chat.type("/start")
    await chat.sees("menu.greeting")
    menu_id = api.live_messages(6161)[-1]["message_id"]
    await chat.press("menu.complaint")
    await chat.sees("complaint.ask.category")
    sent_before = len(api.calls_to("sendMessage"))

    api.push(api.callback_query(6161, "menu:complaint", message_id=menu_id))
    await api.wait_until(lambda: len(api.answered_callbacks) == 2)

    stale_answer = list(api.answered_callbacks.values())[-1]
    assert "tidak berlaku" in stale_answer["text"]
    assert len(api.calls_to("sendMessage")) == sent_before  # the flow did not restart


async def test_same_update_delivered_twice_has_one_effect(app: App, api: FakeBotApi,
                                                          bot: TelegramChannel):
    chat = UserChat(api, 7171)
    update = api.text_message(7171, "/start")
    api.push(update, update)
    api.push(api.text_message(7171, "/bahasa"))  # handled after both copies, in order
    await chat.sees("common.language.ask")

    greetings = [t for t in api.sent_texts(7171) if catalog_text("id", "menu.greeting") in t]
    assert len(greetings) == 1
    count = await app.db.read(lambda s: s.scalar(select(func.count()).select_from(InboxItem)))
    assert count == 2


async def test_reply_refused_with_retry_after_is_delivered_later(api: FakeBotApi,
                                                                 bot: TelegramChannel):
    api.rate_limit_next(1, retry_after=1, methods={"sendMessage"})
    chat = UserChat(api, 8181)

    await chat.type("/start")
    await chat.sees("menu.greeting")

    attempts = [c.status for c in api.calls if c.method == "sendMessage"]
    assert attempts[0] == 429
    assert attempts[-1] == 200
    await chat.press("menu.complaint")  # the delivered menu is the live keyboard
    await chat.sees("complaint.ask.category")


async def test_group_messages_are_ignored_and_not_stored(app: App, api: FakeBotApi,
                                                         bot: TelegramChannel):
    api.push(api.text_message(-100777, "/start", user_id=42))
    api.push(api.text_message(9191, "/start"))
    await UserChat(api, 9191).sees("menu.greeting")

    assert [c for c in api.calls_to("sendMessage") if c.params["chat_id"] == -100777] == []
    count = await app.db.read(lambda s: s.scalar(select(func.count()).select_from(InboxItem)))
    assert count == 1


async def test_commands_are_registered_in_indonesian_and_english(api: FakeBotApi,
                                                                 bot: TelegramChannel):
    await api.wait_until(lambda: len(api.commands) == 3)

    assert [c["command"] for c in api.commands[("default", "id")]][:3] == ["start", "lapor", "cek"]
    assert [c["command"] for c in api.commands[("default", "en")]][:3] == [
        "start", "report", "status"]
    assert api.commands[("default", "")] == api.commands[("default", "id")]
