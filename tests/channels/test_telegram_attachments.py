"""Files, languages and long texts on Telegram, through the real PTB stack and the fake Bot API."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.app import App
from bot.channels.telegram.channel import TelegramChannel
from bot.settings import Settings
from storage import tickets
from storage.models import Ticket
from tests.channels.test_telegram_flow import walk_to_evidence
from tests.fakes.bot_api import FakeBotApi
from tests.fakes.bot_api_chat import UserChat, telegram_settings
from tests.fakes.telegram_fixtures import api, bot  # noqa: F401 - fixtures


@pytest.fixture
def settings(settings: Settings, api: FakeBotApi) -> Settings:
    """A 5 MB attachment limit, so the size checks are cheap to exercise."""
    return telegram_settings(settings, api, conversations={"max_attachment_mb": 5.0})

PDF = b"%PDF-1.4\n% kuitansi\n%%EOF\n"


async def test_pdf_and_voice_note_are_kept_as_evidence(app: App, api: FakeBotApi,
                                                       bot: TelegramChannel):
    chat = UserChat(api, 3131)
    await walk_to_evidence(chat)
    api.push(api.document_message(3131, PDF, file_name="kuitansi Budi.pdf"))
    await chat.sees("common.files.received")
    api.push(api.voice_message(3131, b"OggS\x00\x02" + bytes(300)))
    await chat.sees("Berkas diterima (2)")
    await chat.press("common.nav.done")
    await chat.sees("complaint.ask.elsewhere")
    await chat.press("common.yesno.tidak")
    await chat.sees("common.summary.title")
    await chat.press("common.summary.submit")
    await chat.sees("Kode Laporan")

    stored = await app.db.read(lambda s: _all_files(s, app))
    assert [(f.content_type, f.data) for f in stored] == [
        ("application/pdf", PDF), ("audio/ogg", b"OggS\x00\x02" + bytes(300))]
    assert all("Budi" not in f.name for f in stored)  # file names can name people


async def _all_files(session, app: App):
    ticket = (await session.execute(select(Ticket))).scalars().one()
    return await tickets.attachments(session=session, ring=app.services.ring, ticket=ticket)


async def test_file_over_the_limit_is_refused_before_downloading(api: FakeBotApi,
                                                                bot: TelegramChannel):
    api.push(api.document_message(3232, PDF, file_size=6 * 1024 * 1024))

    reply = await UserChat(api, 3232).sees("Berkas terlalu besar")

    assert "5 MB" in reply
    assert api.calls_to("getFile") == []


async def test_program_disguised_as_pdf_is_refused(api: FakeBotApi, bot: TelegramChannel):
    api.push(api.document_message(3333, b"MZ\x90\x00 windows program", file_name="bukti.pdf"))

    await UserChat(api, 3333).sees("common.error.file_type")


async def test_sticker_gets_a_polite_explanation(api: FakeBotApi, bot: TelegramChannel):
    sticker = {"file_id": "s1", "file_unique_id": "u1", "type": "regular", "width": 512,
               "height": 512, "is_animated": False, "is_video": False}
    api.push(api.user_message(3434, {"sticker": sticker}))

    await UserChat(api, 3434).sees("telegram.error.unsupported")


async def test_english_telegram_user_is_answered_in_english_and_can_switch(api: FakeBotApi,
                                                                          bot: TelegramChannel):
    chat = UserChat(api, 3535, lang="en")
    await chat.type("/start")
    await chat.sees("menu.greeting")
    await chat.type("/bahasa")
    await chat.sees("common.language.ask")
    await chat.press("Bahasa Indonesia")

    await UserChat(api, 3535, lang="id").sees("common.language.set")


async def test_long_answer_comes_back_in_parts_under_telegrams_limit(api: FakeBotApi,
                                                                   bot: TelegramChannel):
    chat = UserChat(api, 3636)
    await chat.type("/lapor")
    await chat.sees("complaint.ask.category")
    await chat.press("complaint.category.pungli")
    await chat.sees("complaint.ask.what")
    await chat.type(("Petugas meminta uang tambahan di loket. " * 100).strip())  # ~4,000 chars
    await chat.type("Petugas loket 3")  # typed answers are handled in order
    await chat.sees("complaint.ask.concerns_team")
    await chat.press("common.yesno.tidak")
    for answer in ["kemarin", "Loket paspor", "500rb"]:
        await chat.type(answer)
    await chat.sees("complaint.ask.evidence")
    await chat.press("common.nav.skip")
    await chat.sees("complaint.ask.elsewhere")
    await chat.press("common.yesno.tidak")
    await chat.sees("common.summary.ask")

    summary_parts = [c.params for c in api.calls_to("sendMessage")][-2:]
    assert all(len(c.params["text"]) <= 4096 for c in api.calls_to("sendMessage"))
    assert "reply_markup" not in summary_parts[0]
    assert summary_parts[1]["reply_markup"]["inline_keyboard"]
