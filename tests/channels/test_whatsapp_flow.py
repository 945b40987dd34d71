"""A citizen's complaint on WhatsApp end to end: signed webhooks in, Graph API calls out.

Covers buttons and lists, photo evidence (downloaded with the bearer token, EXIF stripped,
stored encrypted), numbered options, the 24-hour window with its template, rate limits and
replay after a restart."""

from __future__ import annotations

import logging
import re
from io import BytesIO

from PIL import Image

from bot.channels.whatsapp.channel import WhatsAppChannel
from bot.channels.whatsapp.send import outbound_payload
from handlers.engine.types import Outbound
from storage import outbox, tickets
from storage.inbox import accept_update
from tests.channels.whatsapp_harness import (  # noqa: F401 - fixtures
    graph_fixture,
    settings_fixture,
    wa_fixture,
)
from tests.fakes.graph_api import WARGA, messages_from

CHRONOLOGY = "Petugas di loket paspor meminta uang tambahan agar paspor saya cepat selesai."
NOTICE = "Ada pembaruan pada laporan Anda. Balas CEK untuk melihat."


def photo_with_exif() -> bytes:
    """A JPEG carrying the kind of EXIF a phone writes (camera model, description)."""
    exif = Image.Exif()
    exif[0x0110] = "PhoneModel-Rahasia"
    exif[0x010E] = "lokasi rumah pelapor"
    out = BytesIO()
    Image.new("RGB", (64, 48), "navy").save(out, "JPEG", exif=exif)
    return out.getvalue()


def last_interactive(wa) -> dict:
    """The last interactive message the bot sent."""
    return next(m for m in reversed(wa.graph.sent) if m["type"] == "interactive")["interactive"]


def offered(wa) -> list[str]:
    """Option ids on the last buttons or list."""
    inter = last_interactive(wa)
    if inter["type"] == "button":
        return [b["reply"]["id"] for b in inter["action"]["buttons"]]
    return [r["id"] for s in inter["action"]["sections"] for r in s["rows"]]


async def say(wa, text: str, **kw) -> None:
    assert await wa.post(messages_from(WARGA, WARGA.text(text, **kw))) == 200


async def tap(wa, option: str) -> None:
    """Press a reply button or pick a list row, as the reporter's phone would."""
    assert option in offered(wa), f"{option!r} not offered: {offered(wa)}"
    kind = last_interactive(wa)["type"]
    message = WARGA.button_reply(option) if kind == "button" else WARGA.list_reply(option)
    assert await wa.post(messages_from(WARGA, message)) == 200


async def walk_to_summary(wa, photo: bytes, *, elsewhere: str = "tidak") -> None:
    await say(wa, "/start")
    await tap(wa, "menu:complaint")
    await tap(wa, "pungli")
    await say(wa, CHRONOLOGY)
    await say(wa, "Petugas loket 3, pria berkacamata")
    await tap(wa, "tidak")
    await say(wa, "kemarin")
    await say(wa, "Loket paspor lantai 1")
    await say(wa, "500rb")
    media_id = wa.graph.add_media(photo, "image/jpeg")
    msg = WARGA.media("image", media_id, photo, "image/jpeg", caption="bukti")
    assert await wa.post(messages_from(WARGA, msg)) == 200
    await tap(wa, "nav:done")
    await tap(wa, elsewhere)
    if elsewhere == "ya":
        await say(wa, "Ombudsman RI")


async def test_citizen_files_a_complaint_with_a_photo_and_gets_code_and_secret(wa):
    photo = photo_with_exif()

    await walk_to_summary(wa, photo)
    assert "Mohon periksa kembali laporan Anda" in "\n".join(wa.graph.texts())
    await tap(wa, "confirm:submit")

    receipt = wa.graph.texts()[-2]  # the receipt, then the menu
    code = re.search(r"WBS-[A-Z0-9]{4}-[A-Z0-9]{4}", receipt)
    assert code, receipt
    assert re.search(r"(?:Kata sandi|Secret): \S+", receipt)
    assert all(m.get("recipient") == WARGA.user_id for m in wa.graph.sent)

    async def stored(session):
        ticket = await tickets.find_ticket(session=session, code=code.group(0))
        return ticket, await tickets.attachments(session=session, ring=wa.app.services.ring,
                                                 ticket=ticket)

    ticket, files = await wa.app.db.read(stored)
    assert ticket.channel == "whatsapp"
    (evidence,) = files
    assert evidence.content_type == "image/jpeg"
    assert b"PhoneModel-Rahasia" not in evidence.data
    assert b"lokasi rumah" not in evidence.data
    assert len(Image.open(BytesIO(evidence.data)).getexif()) == 0
    download = next(c for c in wa.graph.calls if c.path.startswith("/download/"))
    assert download.headers["Authorization"] == f"Bearer {wa.graph.token}"


async def test_officer_update_inside_the_window_is_sent_as_free_text(wa):
    await say(wa, "/start")

    await enqueue(wa, Outbound(NOTICE))
    assert await wa.flush() == 1

    assert wa.graph.texts()[-1] == NOTICE


async def enqueue(wa, message: Outbound, handle: str = WARGA.user_id) -> None:
    now = wa.clock()
    await wa.app.db.write(lambda s: outbox.enqueue(
        session=s, ring=wa.app.services.ring, channel="whatsapp", handle=handle,
        purpose="ticket.reporter_update", payload=outbound_payload(message, "id"), now=now))


async def test_outside_24_hours_only_the_template_goes_out_and_the_reply_waits(wa):
    await say(wa, "/start")
    wa.clock.advance(hours=25)
    await enqueue(wa, Outbound(NOTICE))
    await enqueue(wa, Outbound("Balasan kedua"))
    sent_before = len(wa.graph.sent)

    await wa.flush()
    await wa.flush()

    (template,) = wa.graph.sent[sent_before:]
    assert template["type"] == "template"
    assert template["template"] == {"name": "wbs_pembaruan", "language": {"code": "id"}}
    assert template["recipient"] == WARGA.user_id
    assert len(await wa.outbox_pending()) == 2

    await say(wa, "CEK", timestamp=int(wa.clock().timestamp()))
    await wa.flush()

    assert NOTICE in wa.graph.texts()
    assert "Balasan kedua" in wa.graph.texts()
    assert await wa.outbox_pending() == []
    assert sum(m["type"] == "template" for m in wa.graph.sent) == 1


async def test_reply_hitting_the_rate_limit_is_retried_from_the_outbox_after_the_hint(wa):
    wa.graph.fail_next(130429, retry_after="20")

    await say(wa, "/start")

    assert wa.graph.sent == []
    (pending,) = await wa.outbox_pending()
    assert await wa.flush() == 0  # not before Meta's hint has passed
    wa.clock.advance(seconds=21)
    assert await wa.flush() == 1
    assert wa.graph.sent[0]["type"] == "interactive"


async def test_replies_while_rate_limited_queue_behind_the_earlier_ones(wa):
    wa.graph.fail_next(130429, retry_after="20")
    await say(wa, "/start")

    await say(wa, "/bantuan")  # before Meta's hint has passed: queued, not sent ahead

    assert wa.graph.sent == []
    wa.clock.advance(seconds=21)
    await wa.flush()
    texts = wa.graph.texts()
    assert texts[0].startswith("Selamat datang")  # the menu first, as it was answered first
    assert any(t.startswith("Layanan pengaduan") for t in texts[1:])  # then the help


async def test_pair_rate_limit_on_an_outbox_delivery_backs_off(wa):
    await say(wa, "/start")
    await enqueue(wa, Outbound(NOTICE))
    wa.graph.fail_next(131056)

    assert await wa.flush() == 0
    assert await wa.flush() == 0
    wa.clock.advance(seconds=10)
    assert await wa.flush() == 1
    assert wa.graph.texts().count(NOTICE) == 1


async def test_more_than_ten_options_are_numbered_and_a_typed_number_picks_one(wa):
    await walk_to_summary(wa, photo_with_exif(), elsewhere="ya")
    await tap(wa, "confirm:edit")

    numbered = wa.graph.sent[-1]
    assert numbered["type"] == "text"
    assert "11. " in numbered["text"]["body"]
    await say(wa, "1")  # "Jenis": the category question, itself eleven numbered options
    assert "10. Lainnya" in wa.graph.texts()[-1]
    await say(wa, "3")

    assert "Jenis: Pemerasan" in wa.graph.texts()[-1]  # back at the summary, answer changed


async def test_a_file_of_an_unaccepted_type_is_refused_politely(wa):
    await say(wa, "/start")
    media_id = wa.graph.add_media(b"MZ\x90\x00 not a document", "application/x-msdownload")
    message = WARGA.media("document", media_id, b"MZ\x90\x00 not a document",
                          "application/x-msdownload", filename="virus.exe")

    await wa.post(messages_from(WARGA, message))

    assert "Jenis berkas ini tidak diterima" in wa.graph.texts()[-1]


async def test_message_stored_before_a_crash_is_handled_on_start(wa):
    message = messages_from(WARGA, WARGA.text("/start", wamid="wamid.CRASH1"))
    from bot.channels.whatsapp.receive import dump_message, parse_payload  # noqa: PLC0415

    (parsed,) = parse_payload(message).messages
    await wa.app.db.write(lambda s: accept_update(
        session=s, ring=wa.app.services.ring, channel="whatsapp", external_id="wamid.CRASH1",
        payload=dump_message(parsed), now=wa.clock()))

    restarted = WhatsAppChannel(wa.app)
    await restarted.start()
    await restarted.stop()

    assert wa.graph.sent[0]["recipient"] == WARGA.user_id
    assert await wa.post(message) == 200  # Meta's redelivery after the restart: no effect
    assert len(wa.graph.sent) == 1


async def test_logs_never_contain_the_reporter_id_phone_number_or_text(wa, caplog):
    caplog.set_level(logging.DEBUG)
    wa.graph.fail_next(131026)

    await say(wa, "/start")
    await say(wa, CHRONOLOGY)

    assert WARGA.user_id not in caplog.text
    assert WARGA.wa_id not in caplog.text
    assert "loket paspor" not in caplog.text
