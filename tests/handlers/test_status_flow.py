"""Coming back with code + secret: status, replies, adding information, and lockouts."""

from __future__ import annotations

from bot.app import App
from handlers.events import REPORTER_MESSAGE
from storage import outbox, tickets
from tests.handlers.test_complaint_flow import receipt_of, walk_to_summary
from tests.support.reporter import Reporter


async def file_one(app: App) -> tuple[str, str]:
    """A submitted complaint's code and secret."""
    r = Reporter(app.engine)
    await walk_to_summary(r)
    await r.choose("confirm:submit")
    return receipt_of(r)


async def unlock(r: Reporter, code: str, secret: str) -> None:
    """Open the status check and type code and secret."""
    await r.say("/start")
    await r.choose("menu:status")
    await r.say(code)
    await r.say(secret)


async def test_right_secret_shows_status_and_officer_replies_without_names(app: App):
    code, secret = await file_one(app)

    async def officer_reply(session):
        ticket = await tickets.find_ticket(session=session, code=code)
        await tickets.add_message(session=session, ring=app.services.ring, ticket=ticket,
                                  author="officer", officer_id="tg:4242",
                                  text="Mohon sebutkan jam kejadian.", now=app.services.clock())

    await app.db.write(officer_reply)
    other_device = Reporter(app.engine)  # a different session, even a different channel
    await unlock(other_device, code.lower(), secret.replace("-", " "))
    assert f"Laporan {code}" in other_device.text
    assert "Status: Diterima" in other_device.text
    assert "Petugas UPG" in other_device.text
    assert "Mohon sebutkan jam kejadian." in other_device.text
    assert "4242" not in other_device.text


async def test_added_information_reaches_the_thread_and_the_team(app: App):
    code, secret = await file_one(app)
    r = Reporter(app.engine)
    await unlock(r, code, secret)
    await r.choose("add")
    await r.say("Kejadiannya sekitar pukul 10.00 WITA.")
    await r.attach("foto.png", "image/png", b"\x89PNG fake")
    await r.choose("nav:done")
    assert "informasi tambahan telah disampaikan" in r.text

    async def check(session):
        ticket = await tickets.find_ticket(session=session, code=code)
        entries = await tickets.thread(session=session, ring=app.services.ring, ticket=ticket)
        files = await tickets.attachments(session=session, ring=app.services.ring, ticket=ticket,
                                          message_id=entries[-1].id)
        queued = await outbox.due_messages(session=session, ring=app.services.ring,
                                           now=app.services.clock(), channels=["team"])
        return ticket, entries, files, queued

    ticket, entries, files, queued = await app.db.read(check)
    assert [(e.author, e.text) for e in entries] == [("reporter",
                                                      "Kejadiannya sekitar pukul 10.00 WITA.")]
    assert [f.name for f in files] == ["foto.png"]
    assert ticket.last_reporter_message_at is not None
    assert [q.purpose for q in queued][-1] == REPORTER_MESSAGE
    assert "10.00" not in str(queued[-1].payload)  # team notices carry ids only


async def test_status_check_locks_after_five_wrong_secrets(app: App):
    code, secret = await file_one(app)
    for attempt in range(5):
        r = Reporter(app.engine)  # a new sender each time: the ticket itself locks
        await unlock(r, code, "AAAA-BBBB-CCCC-DDDD")
        assert "tidak cocok" in r.text, attempt
    r = Reporter(app.engine)
    await unlock(r, code, secret)
    assert "Terlalu banyak percobaan" in r.text
    assert "Status:" not in r.text


async def test_sender_is_locked_after_ten_wrong_guesses_across_codes(app: App):
    code, secret = await file_one(app)
    r = Reporter(app.engine)
    await unlock(r, "WBS-AAAA-AA2A", "AAAA-BBBB-CCCC-DDDD")
    for n in range(9):  # after a wrong guess the bot asks for the code again
        assert "tidak cocok" in r.text
        await r.say(f"WBS-AAAA-AA{'345679ABC'[n]}A")
        await r.say("AAAA-BBBB-CCCC-DDDD")
    await r.say(code)
    await r.say(secret)  # even the right secret is refused while the sender is locked
    assert "Terlalu banyak percobaan" in r.text


async def test_unknown_code_and_wrong_secret_get_the_same_answer(app: App):
    code, _secret = await file_one(app)
    a, b = Reporter(app.engine), Reporter(app.engine)
    await unlock(a, code, "AAAA-BBBB-CCCC-DDDD")
    await unlock(b, "WBS-ZZZZ-ZZZZ", "AAAA-BBBB-CCCC-DDDD")
    assert a.text == b.text


async def test_malformed_code_is_explained(app: App):
    r = Reporter(app.engine)
    await r.say("/cek")
    await r.say("halo")
    assert "Format Kode Laporan tidak sesuai" in r.text
