"""The gift self-report on Telegram: the real PTB channel polling the fake Bot API on loopback."""

from __future__ import annotations

import re

from bot.app import App
from bot.channels.telegram.channel import TelegramChannel
from storage import tickets
from tests.fakes.bot_api import FakeBotApi
from tests.fakes.bot_api_chat import UserChat
from tests.fakes.telegram_fixtures import api, bot, settings  # noqa: F401 - fixtures


async def test_employee_reports_a_refused_gift_on_telegram(app: App, api: FakeBotApi,
                                                           bot: TelegramChannel):
    chat = UserChat(api, 3131)
    await chat.type("/gratifikasi")
    await chat.sees("gift.ask.relationship")
    await chat.press("gift.relationship.interested")
    await chat.sees("gift.ask.occasion")
    await chat.press("gift.occasion.none")
    await chat.sees("gift.ask.object_type")
    await chat.press("gift.object_type.uang")
    await chat.sees("gift.ask.value")
    await chat.type("Rp2.000.000")
    await chat.sees("gift.ask.received_on")
    await chat.press("common.date.today")
    verdict = await chat.sees("gift.check.outcome.must_report")
    assert "Peraturan KPK Nomor 1 Tahun 2026" in verdict
    await chat.sees("gift.deadline.report")
    await chat.sees("gift.intro")
    await chat.sees("gift.ask.report_type")
    await chat.press("gift.report_type.penolakan")
    await chat.sees("gift.reminder.ask")
    await chat.press("common.yesno.ya")
    for key, answer in (("gift.ask.name", "Andi Pratama"), ("gift.ask.nik", "7201011203880002"),
                        ("gift.ask.nip", "198803122015031002"),
                        ("gift.ask.position", "Pemeriksa Keimigrasian"),
                        ("gift.ask.rank", "Penata Muda, III/a"),
                        ("gift.ask.unit", "Seksi Intelijen dan Penindakan"),
                        ("gift.ask.email", "andi.pratama@imigrasi.go.id"),
                        ("gift.ask.phone", "+62 813 1111 2222"),
                        ("gift.ask.giver_name", "Penyedia jasa pengurusan dokumen"),
                        ("gift.ask.giver_occupation", "Biro perjalanan"),
                        ("gift.ask.giver_address", "Jl. Ahmad Yani 5, Luwuk"),
                        ("gift.ask.reason", "Meminta pemeriksaan dipercepat"),
                        ("gift.ask.event", "Pemeriksaan dokumen perjalanan"),
                        ("gift.ask.description", "Amplop berisi uang tunai")):
        await chat.sees(key)
        await chat.type(answer)
    await chat.sees("gift.ask.location")
    await chat.press("gift.location.lainnya")
    await chat.sees("gift.ask.place")
    await chat.type("Ruang pemeriksaan lantai 2")
    await chat.sees("gift.ask.chronology")
    await chat.type("Pemberi menyodorkan amplop setelah pemeriksaan, saya menolak dan melapor.")
    await chat.sees("gift.ask.documents")
    await chat.press("common.nav.skip")
    await chat.sees("gift.ask.compensation")
    await chat.press("common.yesno.tidak")
    summary = await chat.sees("common.summary.title")
    assert "Laporan penolakan" in summary
    assert "+6281311112222" in summary
    await chat.press("common.summary.submit")
    receipt = await chat.sees("Kode Laporan")
    code = re.search(r"WBS-[A-Z0-9]{4}-[A-Z0-9]{4}", receipt).group(0)
    await chat.sees("gift.submitted")

    async def stored(session):
        ticket = await tickets.find_ticket(session=session, code=code)
        return ticket, await tickets.read_content(session=session, ring=app.services.ring,
                                                  ticket=ticket)

    ticket, content = await app.db.read(stored)
    assert (ticket.kind, ticket.category, ticket.channel) == ("gift", "penolakan", "telegram")
    assert content["nik"] == "7201011203880002"
    assert content["object_type"] == "uang"
