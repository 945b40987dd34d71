"""The gift self-report, walked through the engine as an employee on the terminal would."""

from __future__ import annotations

import re
from datetime import date

from bot.app import App
from handlers.engine.types import Inbound
from handlers.gift_clock import report_deadline
from handlers.workdays import WorkCalendar
from storage import tickets
from tests.handlers.test_complaint_flow import receipt_of
from tests.handlers.test_status_flow import unlock
from tests.support.reporter import Reporter

CHRONOLOGY = "Setelah pelayanan paspor selesai, pemohon menitipkan bingkisan di meja saya."
IDENTITY = {
    "name": "Siti Rahmawati",
    "nik": "3171234501990001",
    "nip": "198503152010012001",
    "position": "Analis Keimigrasian",
    "rank": "Penata, III/c",
    "unit": "Seksi Lalu Lintas Keimigrasian",
    "email": "siti.rahma@imigrasi.go.id",
    "phone": "0812-3456-7890",
}


async def answer_check(
    r: Reporter, *, relationship: str = "interested", when: str = "kemarin", value: str = "Rp750.000"
) -> None:
    """Open the gift report from the menu and answer "Apakah wajib lapor?"."""
    await r.say("/start")
    await r.choose("menu:gift_check")
    await r.choose(relationship)
    await r.choose("none")
    await r.choose("barang")
    await r.say(value)
    if relationship == "colleague":
        await r.say(value)
    await r.say(when)
    if relationship != "interested":
        await r.choose("no")


async def fill_report(r: Reporter, *, reminder: str = "tidak") -> None:
    """Fill the report after the check, up to the summary (by default without a reminder)."""
    await r.choose("penerimaan")
    await r.choose(reminder)
    for field in ("name", "nik", "nip", "position", "rank", "unit", "email", "phone"):
        await r.say(IDENTITY[field])
    await r.say("Budi Santoso")
    await r.say("Pemohon paspor, wiraswasta")
    await r.say("Jl. Merdeka No. 1, Luwuk")
    await r.say("Ucapan terima kasih atas pelayanan")
    await r.say("Pelayanan penerbitan paspor")
    await r.say("Satu jam tangan merek Seiko")
    await r.choose("upg")
    await r.say("Kantor Imigrasi Banggai, loket 2")
    await r.say(CHRONOLOGY)
    await r.attach("kartu.png", "image/png", PNG)
    await r.choose("nav:done")
    await r.choose("tidak")


PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


async def test_employee_reports_a_gift_from_an_interested_party(app: App, reporter: Reporter):
    await answer_check(reporter)
    assert "WAJIB dilaporkan" in reporter.text
    assert "Peraturan KPK Nomor 1 Tahun 2026" in reporter.text
    assert "Paling lambat 30 hari kerja sejak diterima" in reporter.text
    assert "perkiraan" in reporter.text
    assert "RAHASIA, tetapi TIDAK anonim" in reporter.text
    assert set(reporter.options) >= {"penerimaan", "penolakan", "nav:cancel"}
    await fill_report(reporter)
    summary = reporter.text
    assert "Mohon periksa kembali laporan Anda" in summary
    assert "Pihak berkepentingan" in summary  # carried over from the check
    assert "Rp750.000" in summary
    assert "+6281234567890" in summary
    assert "tidak anonim" in summary
    await reporter.choose("confirm:submit")
    code = re.search(r"WBS-[A-Z0-9]{4}-[A-Z0-9]{4}", reporter.text)
    assert code, reporter.text
    assert "Paling lambat 30 hari kerja" in reporter.text

    async def load(session):
        ticket = await tickets.find_ticket(session=session, code=code.group(0))
        content = await tickets.read_content(session=session, ring=app.services.ring, ticket=ticket)
        files = await tickets.attachments(session=session, ring=app.services.ring, ticket=ticket)
        return ticket, content, files

    ticket, content, files = await app.db.read(load)
    assert (ticket.kind, ticket.category) == ("gift", "penerimaan")
    assert content["nik"] == IDENTITY["nik"]
    assert content["phone"] == "+6281234567890"
    assert content["relationship"] == "interested"
    assert content["value"] == 750_000
    assert content["check_outcome"] == "must_report"
    assert content["chronology"] == CHRONOLOGY
    assert len(files) == 1
    assert IDENTITY["nik"].encode() not in ticket.content  # sealed, not stored in clear


async def test_colleague_gift_under_the_limit_is_exempt_and_the_employee_may_stop(
    app: App, reporter: Reporter
):
    await answer_check(reporter, relationship="colleague", value="400rb")
    assert "TIDAK wajib dilaporkan" in reporter.text
    assert "Rp1.500.000" in reporter.text
    await reporter.choose("nav:cancel")
    assert "menu:gift_check" in reporter.options


async def test_deadline_warns_when_the_gift_was_received_long_ago(app: App, reporter: Reporter):
    today = app.services.clock().astimezone(app.services.settings.office.tz).date()
    received = date(today.year - 1, today.month, 1)
    await answer_check(reporter, when=received.strftime("%d/%m/%Y"))
    assert report_deadline(received, calendar=WorkCalendar()).due < today
    assert "tenggat sudah lewat" in reporter.text


async def test_report_cannot_be_opened_without_the_check(app: App, reporter: Reporter):
    await reporter.say("/start")
    await reporter.send(Inbound(reporter.channel, reporter.handle, option="menu:gift"))
    await reporter.choose("penerimaan")
    assert "Apakah wajib lapor?" in reporter.text
    await reporter.choose("nav:cancel")
    assert "menu:gift_check" in reporter.options


async def test_invalid_identity_numbers_are_refused_in_the_users_language(app: App):
    r = Reporter(app.engine, language="en")
    await answer_check(r)
    await r.choose("penerimaan")
    await r.choose("tidak")
    await r.say("Siti Rahmawati")
    await r.say("12345")
    assert "The NIK must be the 16 digits" in r.text
    await r.say(IDENTITY["nik"])
    await r.say("1985")
    assert "The NIP must be 18 digits" in r.text
    await r.choose("nav:skip")
    await r.say("Analyst")
    await r.choose("nav:skip")
    await r.say("Traffic section")
    await r.say("siti@")
    assert "This email address is not valid" in r.text
    await r.say("siti@imigrasi.go.id")
    await r.say("+65 8123 4567")
    assert "Use an Indonesian number" in r.text


async def test_slash_command_opens_the_check_and_bad_value_or_future_date_are_refused(
    app: App, reporter: Reporter
):
    await reporter.say("/gratifikasi")
    assert "Apa hubungan Anda dengan pemberi" in reporter.text
    await reporter.choose("other")
    await reporter.choose("ceremony")
    await reporter.choose("barang")
    await reporter.say("sejuta lebih")
    assert "Nominal tidak dapat dibaca" in reporter.text
    await reporter.say("1,2 juta")
    await reporter.say("1/1/2099")
    assert "Tanggal tidak boleh di masa depan" in reporter.text
    await reporter.say("19/01/2026")
    await reporter.choose("no")
    assert "WAJIB dilaporkan" in reporter.text  # Rp1.200.000 > Rp1.000.000 under PerKPK 2/2019
    assert "Peraturan KPK Nomor 2 Tahun 2019" in reporter.text


async def test_gift_reporter_follows_the_upg_thread_with_code_and_secret(app: App, reporter: Reporter):
    await answer_check(reporter)
    await fill_report(reporter)
    await reporter.choose("confirm:submit")
    code, secret = receipt_of(reporter)

    async def upg_reply(session):
        ticket = await tickets.find_ticket(session=session, code=code)
        await tickets.add_message(session=session, ring=app.services.ring, ticket=ticket,
                                  author="officer", officer_id="tg:77",
                                  text="Mohon kirim foto kartu ucapan.", now=app.services.clock())

    await app.db.write(upg_reply)
    later = Reporter(app.engine)
    await unlock(later, code, secret)
    assert f"Laporan {code}" in later.text
    assert "Mohon kirim foto kartu ucapan." in later.text
    assert "tg:77" not in later.text
