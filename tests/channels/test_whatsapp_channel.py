"""The WhatsApp webhook over real aiohttp: authentication, handshake, de-duplication,
receipts and unsupported messages, against the fake Graph API on loopback."""

from __future__ import annotations

from pydantic import SecretStr

from bot.channels.whatsapp.receive import sign
from bot.runner import enabled_channels
from bot.web import build_web_app
from handlers.events import TEAM_CHANNEL
from handlers.reporter_notices import OFFICER_REPLY, REPORTER_PURPOSES
from storage import outbox
from storage import whatsapp as store
from storage.models import OutboxItem, WhatsAppDelivery
from storage.officers import unreported_failures
from tests.channels.whatsapp_harness import (  # noqa: F401 - the *_fixture are fixtures
    APP_SECRET,
    PATH,
    VERIFY_TOKEN,
    graph_fixture,
    settings_fixture,
    wa_fixture,
)
from tests.fakes.graph_api import (
    WARGA,
    Sender,
    change_value,
    messages_from,
    signed,
    status,
    webhook,
)


async def test_handshake_echoes_the_challenge_for_the_right_verify_token(wa):
    resp = await wa.client.get(PATH, params={
        "hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "8675309"})

    assert resp.status == 200
    assert await resp.text() == "8675309"


async def test_handshake_with_a_wrong_verify_token_is_forbidden(wa):
    resp = await wa.client.get(PATH, params={
        "hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "8675309"})

    assert resp.status == 403
    assert "8675309" not in await resp.text()


async def test_post_without_signature_is_401_and_nothing_is_stored(wa):
    raw, _ = signed(messages_from(WARGA, WARGA.text("/start")), APP_SECRET)

    status_code = await wa.post_raw(raw, {"Content-Type": "application/json"})

    assert status_code == 401
    assert await wa.inbox_rows() == 0
    assert wa.graph.calls == []


async def test_post_signed_with_another_secret_is_403_and_nothing_is_stored(wa):
    status_code = await wa.post(messages_from(WARGA, WARGA.text("/start")), secret="not-ours")

    assert status_code == 403
    assert await wa.inbox_rows() == 0
    assert wa.graph.calls == []


async def test_post_with_a_body_modified_after_signing_is_403(wa):
    raw, headers = signed(messages_from(WARGA, WARGA.text("/start")), APP_SECRET)

    status_code = await wa.post_raw(raw.replace(b"/start", b"/batal"), headers)

    assert status_code == 403
    assert await wa.inbox_rows() == 0


async def test_signed_but_malformed_body_is_a_400_not_a_500(wa):
    raw = b'{"object": "whatsapp_business_account", "entry": ['

    assert await wa.post_raw(raw, {"X-Hub-Signature-256": sign(APP_SECRET, raw)}) == 400


async def test_a_text_message_is_answered_with_the_menu_and_marked_read(wa):
    message = WARGA.text("/start", wamid="wamid.START1")

    assert await wa.post(messages_from(WARGA, message)) == 200

    assert wa.graph.reads == ["wamid.START1"]
    (reply,) = wa.graph.sent
    assert reply["recipient"] == WARGA.user_id  # keyed on the BSUID, never the phone number
    assert "to" not in reply
    assert reply["type"] == "interactive"
    assert "Pilih" in reply["interactive"]["action"]["button"]


async def test_duplicate_delivery_of_the_same_wamid_has_one_effect(wa):
    payload = messages_from(WARGA, WARGA.text("/start", wamid="wamid.DUP1"))

    assert await wa.post(payload) == 200
    assert await wa.post(payload) == 200

    assert await wa.inbox_rows() == 1
    assert len(wa.graph.sent) == 1


async def test_unsupported_message_gets_a_polite_notice(wa):
    await wa.post(messages_from(WARGA, WARGA.unsupported()))

    (reply,) = wa.graph.texts()
    assert "jenis pesan ini belum didukung" in reply


async def test_batched_entries_from_two_people_are_each_answered(wa):
    other = Sender(wa_id="628111222333", user_id=None)
    payload = webhook(
        change_value(senders=(WARGA,), messages=(WARGA.text("/start"),)),
        change_value(senders=(other,), messages=(other.text("/start"),)),
    )

    await wa.post(payload)

    recipients = sorted(m.get("recipient") or m.get("to") for m in wa.graph.sent)
    assert recipients == sorted([WARGA.user_id, other.wa_id])


async def test_receipts_of_plain_replies_are_not_kept(wa):
    await wa.post(messages_from(WARGA, WARGA.text("/start")))
    wamid = wa.graph.last_wamid

    await wa.post(webhook(change_value(statuses=(status(wamid, "delivered", WARGA),
                                                 status(wamid, "read", WARGA)))))

    assert await wa.count(WhatsAppDelivery) == 0


async def test_receipts_of_an_officer_reply_progress_but_never_go_back(wa):
    await officer_reply_sent(wa)
    wamid = wa.graph.last_wamid

    await wa.post(webhook(change_value(statuses=(status(wamid, "read", WARGA),))))
    await wa.post(webhook(change_value(statuses=(status(wamid, "delivered", WARGA),))))

    assert await wa.count(WhatsAppDelivery, wamid=wamid, status="read") == 1


async def officer_reply_sent(wa) -> str:
    """A reporter wrote, then an officer's reply went out from the outbox; its outbox id."""
    await wa.post(messages_from(WARGA, WARGA.text("/start")))  # the window is open
    now = wa.clock()
    outbox_id = await wa.app.db.write(lambda s: outbox.enqueue(
        session=s, ring=wa.app.services.ring, channel="whatsapp", handle=WARGA.user_id,
        purpose=OFFICER_REPLY, payload={"text": "Balasan petugas", "lang": "id"}, now=now,
        ticket_id="t" * 32))
    assert await wa.flush() == 1
    return outbox_id


async def test_failed_receipt_marks_the_officer_reply_failed_so_officers_see_it(wa):
    outbox_id = await officer_reply_sent(wa)
    wamid = wa.graph.last_wamid
    failed = webhook(change_value(statuses=(status(wamid, "failed", WARGA, error_code=131026),)))

    await wa.post(failed)
    await wa.post(failed)  # Meta redelivers

    shown = await wa.app.db.read(lambda s: unreported_failures(
        session=s, purposes=list(REPORTER_PURPOSES)))
    assert [(row.id, row.last_error) for row in shown] == [(outbox_id, "whatsapp 131026")]
    rows = await wa.app.db.read(lambda s: store.failed_deliveries(session=s))
    assert [(r.ticket_id, r.error_code) for r in rows] == [("t" * 32, 131026)]


async def test_failed_receipt_for_a_message_we_do_not_know_is_only_recorded(wa):
    unknown = webhook(change_value(statuses=(status("wamid.X", "failed", WARGA,
                                                    error_code=131026),)))

    assert await wa.post(unknown) == 200

    assert await wa.count(WhatsAppDelivery, wamid="wamid.X", status="failed") == 1
    assert await wa.count(OutboxItem, channel=TEAM_CHANNEL) == 0


async def test_telegram_and_whatsapp_share_one_run_and_one_route_table(app, settings):
    both = settings.replace(telegram={"token": SecretStr("123456:TEST-TOKEN")},
                            web={"public_url": "https://wbs.example.go.id"})
    app.settings = app.services.settings = both

    channels = enabled_channels(app)
    paths = {r.canonical for r in build_web_app(app, channels).router.resources()}

    assert sorted(c.name for c in channels) == ["telegram", "whatsapp"]
    assert PATH in paths
    assert both.telegram.webhook_path() in paths


async def test_whatsapp_stays_off_until_all_four_secrets_are_set(app, settings):
    partial = settings.replace(whatsapp={"app_secret": None})
    app.settings = app.services.settings = partial

    assert [c.name for c in enabled_channels(app)] == []


async def test_a_foreign_number_is_answered_in_english(wa):
    tourist = Sender(wa_id="4915112345678", user_id="DE.1203849")

    await wa.post(messages_from(tourist, tourist.text("hello")))

    (reply,) = wa.graph.sent
    assert reply["interactive"]["action"]["button"] == "Choose"
    assert reply["interactive"]["body"]["text"].startswith("Welcome")


async def test_a_timestamp_out_of_range_still_gets_an_answer(wa):
    await wa.post(messages_from(WARGA, WARGA.text("/start", timestamp=10**20)))

    assert len(wa.graph.sent) == 1


async def test_outbox_waits_while_the_channel_is_stopped(wa):
    await wa.channel.stop()
    now = wa.clock()
    await wa.app.db.write(lambda s: outbox.enqueue(
        session=s, ring=wa.app.services.ring, channel="whatsapp", handle=WARGA.user_id,
        purpose=OFFICER_REPLY, payload={"text": "Balasan petugas", "lang": "id"}, now=now))

    assert await wa.flush() == 0

    (row,) = await wa.outbox_pending()
    assert row.failed_at is None
    assert row.last_error == "not running"
