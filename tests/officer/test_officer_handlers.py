"""Officer commands without a chat platform: terminal reporters, notes, search, admin."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App
from handlers.officer import handle
from handlers.officer_desk import OfficerAction
from storage import audit, officers, tickets
from storage.models import Officer, OutboxItem
from tests.handlers.test_complaint_flow import receipt_of, walk_to_summary
from tests.support.reporter import Reporter


async def _officer(app: App, role: str = "officer", user_id: int = 501) -> Officer:
    now = app.services.clock()
    return await app.db.write(lambda s: officers.add_officer(
        session=s, telegram_user_id=user_id, role=role, name="Budi Santoso", now=now))


async def _filed(app: App, reporter: Reporter) -> str:
    await walk_to_summary(reporter)
    await reporter.choose("confirm:submit")
    return receipt_of(reporter)[0]


async def test_terminal_reporter_reads_the_officer_reply_with_the_status_check(
        app: App, reporter: Reporter):
    code = await _filed(app, reporter)
    _, secret = receipt_of(reporter)
    officer = await _officer(app)

    result = await handle(app.services, OfficerAction(
        officer=officer, place="dm", command=None, args=f"{code} Mohon lampirkan bukti transfer."))
    assert result.messages == []  # outside a ticket topic plain text is not a reply
    ticket = await app.db.read(lambda s: tickets.find_ticket(session=s, code=code))
    result = await handle(app.services, OfficerAction(
        officer=officer, place="team", ticket_id=ticket.id, args="Mohon lampirkan bukti transfer."))
    assert "akan membacanya saat mengecek status" in result.messages[0].text

    rows = (await app.db.read(lambda s: s.execute(select(OutboxItem).where(
        OutboxItem.ticket_id == ticket.id, OutboxItem.channel == "console")))).scalars().all()
    assert len(rows) == 1
    assert rows[0].delivered_at is not None  # nothing to push to a terminal

    await reporter.say("/cek")
    await reporter.say(code)
    await reporter.say(secret)
    assert "Mohon lampirkan bukti transfer." in reporter.text
    assert "Petugas UPG" in reporter.text
    assert "Budi" not in reporter.text


async def test_internal_notes_never_reach_the_reporter(app: App, reporter: Reporter):
    code = await _filed(app, reporter)
    _, secret = receipt_of(reporter)
    officer = await _officer(app)

    result = await handle(app.services, OfficerAction(
        officer=officer, place="dm", command="catatan", args=f"{code} Terlapor sudah dimutasi."))
    assert "Catatan internal disimpan" in result.messages[0].text
    shown = await handle(app.services, OfficerAction(officer=officer, place="dm",
                                                     command="lihat", args=code))
    assert "Terlapor sudah dimutasi." in shown.messages[0].text

    await reporter.say("/cek")
    await reporter.say(code)
    await reporter.say(secret)
    assert "dimutasi" not in reporter.text
    actions = [e.action for e in await app.db.read(lambda s: audit.entries(session=s))]
    assert actions[:2] == ["ticket_view", "ticket_note"]


async def test_rejecting_needs_a_reason_and_unknown_commands_get_one_polite_error(
        app: App, reporter: Reporter):
    code = await _filed(app, reporter)
    officer = await _officer(app)

    async def say(command: str, args: str = "") -> str:
        result = await handle(app.services, OfficerAction(officer=officer, place="dm",
                                                          command=command, args=args))
        return "\n".join(m.text for m in result.messages)

    assert "Mohon sertakan alasan" in await say("status", f"{code} tolak")
    assert "Status tidak dikenal" in await say("status", f"{code} entahlah")
    assert "Perintah tidak dikenal" in await say("hapussemua")
    assert "Tiket tidak ditemukan" in await say("lihat", "WBS-2222-3333")
    assert "Status WBS" in await say("tutup", f"{code} Di luar kewenangan kantor ini.")
    ticket = await app.db.read(lambda s: tickets.find_ticket(session=s, code=code))
    assert ticket.status == "tidak_dapat_ditindaklanjuti"
    assert "Tidak ada tiket terbuka" in await say("tiket")  # closed tickets are not listed
    assert code in await say("cari", "pungli")
    assert "Hanya admin" in await say("petugas", "tambah 600")


async def test_admin_adds_an_officer_from_the_chat(app: App):
    admin = await _officer(app, role="admin", user_id=502)
    result = await handle(app.services, OfficerAction(officer=admin, place="team",
                                                      command="petugas",
                                                      args="tambah 601 Rina Wati"))
    assert "ditambahkan" in result.messages[0].text
    added = await app.db.read(lambda s: officers.officer_by_telegram_id(session=s,
                                                                         telegram_user_id=601))
    assert added.name == "Rina Wati"
    assert added.role == "officer"
    entries = await app.db.read(lambda s: audit.entries(session=s, action="officer_add"))
    assert entries[0].actor == f"officer:{admin.id}"


async def test_assigning_and_reopening_are_audited(app: App, reporter: Reporter):
    code = await _filed(app, reporter)
    officer = await _officer(app)
    colleague = await app.db.write(lambda s: officers.add_officer(
        session=s, telegram_user_id=503, role="officer", name="Rina", username="rina",
        now=app.services.clock()))
    ticket = await app.db.read(lambda s: tickets.find_ticket(session=s, code=code))
    await app.db.write(lambda s: officers.place_ticket(
        session=s, ticket_id=ticket.id, chat_id=-100, thread_id=7, header_message_id=8,
        now=app.services.clock()))

    async def say(command: str, args: str = "") -> str:
        result = await handle(app.services, OfficerAction(officer=officer, place="team",
                                                          ticket_id=ticket.id,
                                                          command=command, args=args))
        return "\n".join(m.text for m in result.messages)

    assert "Rina" in await say("tugaskan", "@rina")
    assert "tidak ada dalam daftar" in await say("tugaskan", "@siapa")
    assert "belum ditutup" in await say("buka")
    await say("tutup")
    assert "diubah menjadi Ditindaklanjuti" in await say("buka")
    desk = await app.db.read(lambda s: officers.desk(session=s, ticket_id=ticket.id))
    assert desk.assigned_officer_id == colleague.id
    entries = await app.db.read(lambda s: audit.entries(session=s, ticket_code=code))
    assert [e.action for e in entries][:3] == ["ticket_status", "ticket_status", "ticket_assign"]
