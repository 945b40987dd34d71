"""Coming back with code + secret: status, replies, adding information, and lockouts."""

from __future__ import annotations

import re
from datetime import timedelta

from argon2 import PasswordHasher

from bot.app import App
from handlers.events import REPORTER_MESSAGE
from handlers.i18n import t
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


WRONG = "AAAA-BBBB-CCCC-DDDD"
WAIT = re.compile(r"tunggu (\d+) menit")


async def guess(r: Reporter, code: str, secret: str) -> None:
    """Type code and secret: right away when the bot asks for the code again, else via the menu."""
    if t("id", "status.ask.code") in r.text:
        await r.say(code)
        await r.say(secret)
    else:
        await unlock(r, code, secret)


def move_clock(app: App, minutes: float) -> None:
    """Let time pass for the bot."""
    now = app.services.clock() + timedelta(minutes=minutes)
    app.services.clock = lambda: now


async def stored_hash(app: App, code: str) -> str:
    """The receipt hash kept for this code."""
    async def load(session):
        return (await tickets.find_ticket(session=session, code=code)).secret_hash
    return await app.db.read(load)


async def test_submit_stores_a_keyed_hash_of_the_secret(app: App):
    code, secret = await file_one(app)
    stored = await stored_hash(app, code)
    assert stored.startswith(f"hmac-sha256${app.services.ring.active}$")
    assert "argon2" not in stored
    assert secret not in stored
    assert secret.replace("-", "") not in stored


async def test_legacy_argon2id_receipt_opens_and_is_stored_keyed_from_then_on(app: App):
    code, secret = await file_one(app)
    legacy = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(secret)

    async def make_legacy(session):
        await tickets.replace_secret_hash(session=session, ticket_id=(
            await tickets.find_ticket(session=session, code=code)).id, old=await stored_hash(app, code),
            new=legacy)

    await app.db.write(make_legacy)
    assert (await stored_hash(app, code)).startswith("$argon2id$")
    r = Reporter(app.engine)
    await unlock(r, code, secret)
    assert "Status: Diterima" in r.text
    assert (await stored_hash(app, code)).startswith("hmac-sha256$")
    again = Reporter(app.engine)
    await unlock(again, code, secret.lower())
    assert "Status: Diterima" in again.text


async def test_unknown_and_known_code_answer_alike_even_after_twenty_failures(app: App):
    code, _secret = await file_one(app)
    known, unknown = Reporter(app.engine), Reporter(app.engine)
    replies = {"known": [], "unknown": []}
    for attempt in range(20):
        for r, guess_code, name in ((known, code, "known"), (unknown, "WBS-ZZZZ-ZZZZ", "unknown")):
            await guess(r, guess_code, WRONG)
            replies[name].append((r.text, r.options))
        if attempt % 4 == 3:
            move_clock(app, 3)  # some waits run out, others not
    assert replies["known"] == replies["unknown"]
    assert any("tidak cocok" in text for text, _ in replies["known"])
    assert any("Terlalu banyak" in text for text, _ in replies["known"])
    for _ in range(3):  # newcomers on the two much-guessed codes
        a, b = Reporter(app.engine), Reporter(app.engine)
        await guess(a, code, WRONG)
        await guess(b, "WBS-ZZZZ-ZZZZ", WRONG)
        assert (a.text, a.options) == (b.text, b.options)


async def test_right_secret_opens_the_report_after_fifty_wrong_guesses_by_others(app: App):
    code, secret = await file_one(app)
    for n in range(50):
        attacker = Reporter(app.engine)
        await guess(attacker, code, WRONG)
        assert "Status:" not in attacker.text, n
    reporter = Reporter(app.engine)
    await guess(reporter, code, secret)
    assert f"Laporan {code}" in reporter.text
    assert "Status: Diterima" in reporter.text
    typo = Reporter(app.engine)  # a mistyped secret costs a minute, not the report
    await guess(typo, code, secret[:-1] + ("2" if secret[-1] != "2" else "3"))
    assert WAIT.search(typo.text).group(1) == "1"
    move_clock(app, 1.5)
    await guess(typo, code, secret)
    assert "Status: Diterima" in typo.text


async def test_a_senders_wrong_guesses_after_the_fifth_wait_longer_each_time(app: App):
    code, secret = await file_one(app)
    r = Reporter(app.engine)
    codes = (f"WBS-AAAA-{c}{c}{c}{c}" for c in "23456789BCDEFGH")
    for n in range(5):
        await guess(r, next(codes), WRONG)
        assert "tidak cocok. Silakan coba lagi" in r.text, n
    waits = []
    for _ in range(8):
        await guess(r, next(codes), WRONG)
        waits.append(int(WAIT.search(r.text).group(1)))
        await guess(r, code, secret)  # while waiting, even the right secret is refused
        assert "Terlalu banyak percobaan" in r.text
        assert "Status:" not in r.text
        move_clock(app, waits[-1] + 0.5)
    assert waits == [1, 2, 4, 8, 16, 32, 60, 60]  # doubling, up to WBS_RECEIPT_LOCK_MINUTES
    await guess(r, code, secret)
    assert "Status: Diterima" in r.text


async def test_malformed_code_is_explained(app: App):
    r = Reporter(app.engine)
    await r.say("/cek")
    await r.say("halo")
    assert "Format Kode Laporan tidak sesuai" in r.text
