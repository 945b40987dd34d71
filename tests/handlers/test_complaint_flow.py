"""The citizen complaint flow, walked through the engine as a reporter would."""

from __future__ import annotations

import re

from bot.app import App
from storage import tickets
from tests.support.reporter import Reporter

CHRONOLOGY = "Petugas di loket paspor meminta uang tambahan agar paspor saya cepat selesai."


async def walk_to_summary(r: Reporter) -> None:
    """Answer every question of the complaint flow up to the summary."""
    await r.say("/start")
    await r.choose("menu:complaint")
    await r.choose("pungli")
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
    assert code and secret, r.text
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
