"""The citizen complaint flow, walked through the engine as a reporter would."""

from __future__ import annotations

import re

from bot.app import App
from storage import tickets
from tests.support.reporter import Reporter

CHRONOLOGY = "Petugas di loket paspor meminta uang tambahan agar paspor saya cepat selesai."


async def start_complaint(r: Reporter, category: str) -> None:
    """Open the menu, start a complaint and pick its category."""
    await r.say("/start")
    await r.choose("menu:complaint")
    await r.choose(category)


async def walk_to_summary(r: Reporter) -> None:
    """Answer every question of the complaint flow up to the summary."""
    await start_complaint(r, "pungli")
    await r.say(CHRONOLOGY)
    await r.say("Petugas loket 3, pria berkacamata")
    await r.choose("tidak")
    await r.say("kemarin")
    await r.say("Loket paspor lantai 1")
    await r.say("500rb")
    await r.choose("nav:skip")
    await r.choose("tidak")


def receipt_of(r: Reporter) -> tuple[str, str]:
    """The code and secret shown in the receipt."""
    code = re.search(r"WBS-[A-Z0-9]{4}-[A-Z0-9]{4}", r.text)
    secret = re.search(r"(?:Kata sandi|Secret): (\S+)", r.text)
    assert code, r.text
    assert secret, r.text
    return code.group(0), secret.group(1)


async def test_reporter_files_a_complaint_and_gets_code_and_secret(app: App, reporter: Reporter):
    await walk_to_summary(reporter)
    assert "Mohon periksa kembali laporan Anda" in reporter.text
    assert "Rp500.000" in reporter.text
    assert "Pungli / permintaan imbalan" in reporter.text
    assert "Telegram/WhatsApp" in reporter.text  # the honest notice before submitting
    await reporter.choose("confirm:submit")
    code, secret = receipt_of(reporter)
    assert len(secret.replace("-", "")) == 16

    async def load(session):
        ticket = await tickets.find_ticket(session=session, code=code)
        return ticket, await tickets.read_content(session=session, ring=app.services.ring,
                                                  ticket=ticket)

    ticket, content = await app.db.read(load)
    assert ticket.category == "pungli"
    assert ticket.status == "diterima"
    assert content["chronology"] == CHRONOLOGY
    assert content["amount"] == 500000
    assert "reported_where" not in content
    assert secret not in ticket.secret_hash


async def test_back_returns_to_the_previous_question_and_keeps_answers(reporter: Reporter):
    await start_complaint(reporter, "suap")
    await reporter.say("kembali")
    assert "jenis pelanggaran" in reporter.text
    await reporter.choose("calo")
    assert "kronologis" in reporter.text


async def test_unknown_option_and_bad_input_are_refused_politely(reporter: Reporter):
    await reporter.say("/start")
    await reporter.choose("menu:complaint")
    await reporter.say("sesuatu yang bukan pilihan")
    assert "Mohon pilih salah satu pilihan yang tersedia" in reporter.text
    assert "pungli" in reporter.options  # the question is asked again
    await reporter.choose("pungli")
    await reporter.say("terlalu singkat")
    assert "terlalu pendek" in reporter.text
    await reporter.say("x" * 4001)
    assert "terlalu panjang" in reporter.text
    assert "4000" in reporter.text


async def test_dates_in_the_future_and_unreadable_amounts_are_refused(reporter: Reporter):
    await start_complaint(reporter, "pungli")
    await reporter.say(CHRONOLOGY)
    await reporter.say("tidak tahu")
    await reporter.choose("tidak")
    await reporter.say("12/11/2099")
    assert "masa depan" in reporter.text
    await reporter.say("31/02/2026")
    assert "Tanggal tidak dapat dibaca" in reporter.text
    await reporter.say("12 November 2026")
    await reporter.say("Ruang wawancara")
    await reporter.say("banyak sekali")
    assert "Nominal tidak dapat dibaca" in reporter.text
    await reporter.say("1,5 juta")
    assert "bukti" in reporter.text


async def test_summary_edit_changes_one_answer_and_returns_to_summary(reporter: Reporter):
    await walk_to_summary(reporter)
    await reporter.choose("confirm:edit")
    await reporter.choose("edit:amount")
    await reporter.say("Rp 2.000.000")
    assert "Mohon periksa kembali" in reporter.text
    assert "Rp2.000.000" in reporter.text
    assert "Rp500.000" not in reporter.text


async def test_editing_a_branch_asks_the_new_question_before_the_summary(reporter: Reporter):
    await walk_to_summary(reporter)
    await reporter.choose("confirm:edit")
    await reporter.choose("edit:reported_elsewhere")
    await reporter.choose("ya")
    assert "Ke mana Anda melaporkannya" in reporter.text
    await reporter.say("Ombudsman, minggu lalu")
    assert "Dilaporkan ke: Ombudsman, minggu lalu" in reporter.text


async def test_leak_guard_warns_about_nik_and_phone_and_lets_reporter_retype(reporter: Reporter):
    await start_complaint(reporter, "pungli")
    await reporter.say("Petugas meminta uang, hubungi saya di 0812-3456-7890 atau NIK 3201234567890001")
    assert "nomor NIK" in reporter.text
    assert "nomor telepon" in reporter.text
    assert set(reporter.options) == {"nav:keep", "nav:back"}
    await reporter.say("Petugas meminta uang tambahan di loket agar paspor cepat jadi.")
    assert "Siapa pihak yang dilaporkan" in reporter.text


async def test_leak_guard_keeps_text_when_reporter_insists(reporter: Reporter):
    await start_complaint(reporter, "pungli")
    await reporter.say("Petugas minta transfer ke rekening, nomor HP petugas 081234567890.")
    await reporter.choose("nav:keep")
    assert "Siapa pihak yang dilaporkan" in reporter.text


async def test_cancel_deletes_the_draft(app: App, reporter: Reporter):
    await start_complaint(reporter, "pungli")
    await reporter.attach("bukti.pdf", "application/pdf", b"%PDF-1.4 bukti")
    await reporter.say("/batal")
    assert "dibatalkan" in reporter.text
    assert "drafnya telah dihapus" in reporter.text
    from storage.conversations import load_conversation  # noqa: PLC0415
    from storage.drafts import draft_files  # noqa: PLC0415

    digest = reporter.digest
    conv = await app.db.read(lambda s: load_conversation(session=s, ring=app.services.ring,
                                                         digest=digest))
    files = await app.db.read(lambda s: draft_files(session=s, ring=app.services.ring,
                                                    digest=digest))
    assert conv.flow is None
    assert conv.draft == {}
    assert files == []


async def test_restart_mid_flow_resumes_at_the_same_step(app: App, settings, keyring):
    from bot.app import build_app  # noqa: PLC0415

    r = Reporter(app.engine)
    await start_complaint(r, "pemerasan")
    await r.say(CHRONOLOGY)
    await app.close()

    restarted = await build_app(settings, ring=keyring, migrate=False)
    try:
        again = Reporter(restarted.engine, handle=r.handle)
        await again.say("Kepala seksi X")  # answers the pending "who" question
        assert "anggota tim pengelola" in again.text
        await again.choose("tidak")
        assert "Kapan kejadiannya" in again.text
    finally:
        await restarted.close()


async def test_abandoned_draft_expires(app: App, reporter: Reporter):
    from datetime import timedelta  # noqa: PLC0415

    real_clock = app.services.clock
    await start_complaint(reporter, "pungli")
    app.services.clock = lambda: real_clock() + timedelta(hours=25)
    await reporter.say(CHRONOLOGY)
    assert "kedaluwarsa" in reporter.text
    assert "menu:complaint" in reporter.options


async def test_language_switch_keeps_the_current_step(reporter: Reporter):
    await reporter.say("/start")
    await reporter.choose("menu:complaint")
    await reporter.say("/bahasa")
    await reporter.choose("lang:en")
    assert "Language set to English" in reporter.text
    assert "What kind of wrongdoing" in reporter.text
    await reporter.choose("suap")
    assert "Please describe what happened" in reporter.text


async def test_english_telegram_users_get_english(app: App):
    r = Reporter(app.engine, language="en-GB")
    await r.say("/start")
    assert "Welcome to the whistleblowing service" in r.text


async def test_evidence_files_are_kept_with_the_ticket(app: App, reporter: Reporter):
    await start_complaint(reporter, "pungli")
    await reporter.say(CHRONOLOGY)
    await reporter.say("tidak tahu")
    await reporter.choose("tidak")
    await reporter.choose("yesterday")
    await reporter.say("Loket 2")
    await reporter.choose("nav:skip")
    await reporter.say("bukan berkas")
    assert "kirim foto atau dokumen" in reporter.text
    await reporter.attach("kwitansi.pdf", "application/pdf", b"%PDF-1.4 kwitansi")
    assert "Berkas diterima (1)" in reporter.text
    await reporter.attach("program.exe", "application/x-msdownload", b"MZ")
    assert "Jenis berkas ini tidak diterima" in reporter.text
    await reporter.choose("nav:done")
    await reporter.choose("tidak")
    assert "Bukti: 1 berkas" in reporter.text
    await reporter.choose("confirm:submit")
    code, _ = receipt_of(reporter)

    async def files(session):
        ticket = await tickets.find_ticket(session=session, code=code)
        return await tickets.attachments(session=session, ring=app.services.ring, ticket=ticket)

    stored = await app.db.read(files)
    assert [(f.name, f.data) for f in stored] == [("kwitansi.pdf", b"%PDF-1.4 kwitansi")]


async def test_conflict_of_interest_is_recorded_on_the_ticket(app: App, reporter: Reporter):
    await start_complaint(reporter, "benturan")
    await reporter.say(CHRONOLOGY)
    await reporter.say("Anggota tim UPG")
    await reporter.choose("ya")
    await reporter.say("kemarin")
    await reporter.say("Kantor")
    await reporter.choose("nav:skip")
    await reporter.choose("nav:skip")
    await reporter.choose("tidak")
    await reporter.choose("confirm:submit")
    code, _ = receipt_of(reporter)
    ticket = await app.db.read(lambda s: tickets.find_ticket(session=s, code=code))
    assert ticket.conflict_of_interest is True


async def test_unknown_command_is_answered_in_the_users_language(reporter: Reporter):
    await reporter.say("/entahlah")
    assert "Perintah tidak dikenal" in reporter.text
