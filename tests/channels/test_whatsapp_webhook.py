"""Webhook authentication, handshake and payload parsing (pure functions)."""

from __future__ import annotations

import json

import pytest

from bot.channels.whatsapp.receive import (
    MalformedPayloadError,
    Signature,
    check_signature,
    dump_message,
    handshake_challenge,
    load_message,
    parse_payload,
    sign,
)
from handlers.engine.types import ChannelKind
from tests.fakes.graph_api import (
    WARGA,
    Sender,
    change_value,
    messages_from,
    signed,
    status,
    webhook,
)

SECRET = "app-secret-for-tests"
OLD_APP = Sender(wa_id="6289876543210", user_id=None)


def test_signature_over_the_raw_body_is_valid():
    raw, headers = signed(messages_from(WARGA, WARGA.text("halo")), SECRET)

    assert check_signature(SECRET, raw, headers["X-Hub-Signature-256"]) is Signature.VALID


def test_missing_signature_is_reported_as_missing():
    raw, _ = signed(messages_from(WARGA, WARGA.text("halo")), SECRET)

    assert check_signature(SECRET, raw, None) is Signature.MISSING
    assert check_signature(SECRET, raw, "") is Signature.MISSING


def test_signature_made_with_another_secret_is_invalid():
    raw, _ = signed(messages_from(WARGA, WARGA.text("halo")), "another-secret")

    assert check_signature(SECRET, raw, sign("another-secret", raw)) is Signature.INVALID


def test_signature_over_a_modified_body_is_invalid():
    raw, headers = signed(messages_from(WARGA, WARGA.text("halo")), SECRET)
    tampered = raw.replace(b"halo", b"hal0")

    assert check_signature(SECRET, tampered, headers["X-Hub-Signature-256"]) is Signature.INVALID


def test_signature_of_reserialised_json_is_invalid_because_only_raw_bytes_count():
    raw, headers = signed(messages_from(WARGA, WARGA.text("halo")), SECRET)
    reserialised = json.dumps(json.loads(raw), indent=2).encode()

    assert check_signature(SECRET, reserialised, headers["X-Hub-Signature-256"]) is Signature.INVALID


@pytest.mark.parametrize("header", ["sha1=abc", "garbage", "sha256=", "sha256=zz\u00e9"])
def test_malformed_signature_headers_are_invalid(header):
    assert check_signature(SECRET, b"{}", header) is Signature.INVALID


def test_handshake_echoes_the_challenge_for_the_right_token():
    params = {
        "hub.mode": "subscribe",
        "hub.verify_token": "verify-me",
        "hub.challenge": "1158201444",
    }

    assert handshake_challenge(params, "verify-me") == "1158201444"


@pytest.mark.parametrize(
    "params",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": "verify-me", "hub.challenge": "1"},
        {"hub.verify_token": "verify-me", "hub.challenge": "1"},
        {"hub.mode": "subscribe", "hub.challenge": "1"},
        {"hub.mode": "subscribe", "hub.verify_token": "verify-me"},
    ],
)
def test_handshake_refuses_wrong_token_mode_or_missing_fields(params):
    assert handshake_challenge(params, "verify-me") is None


def test_text_from_a_user_with_a_bsuid_is_keyed_on_the_bsuid():
    batch = parse_payload(messages_from(WARGA, WARGA.text("Saya ingin melapor", wamid="wamid.A1")))

    (message,) = batch.messages
    assert message.inbound.channel is ChannelKind.WHATSAPP
    assert message.inbound.handle == "ID.1410018717833190"
    assert message.inbound.text == "Saya ingin melapor"
    assert message.inbound.external_id == "wamid.A1"
    assert message.supported


def test_text_from_a_user_without_a_bsuid_is_keyed_on_the_wa_id():
    batch = parse_payload(messages_from(OLD_APP, OLD_APP.text("halo")))

    assert batch.messages[0].inbound.handle == "6289876543210"


def test_bsuid_only_in_contacts_is_still_preferred_over_the_phone_number():
    message = OLD_APP.text("halo")
    value = change_value(senders=(WARGA,), messages=({**message, "from": WARGA.wa_id},))

    batch = parse_payload(webhook(value))

    assert batch.messages[0].inbound.handle == WARGA.user_id


def test_username_user_without_phone_number_is_keyed_on_the_bsuid():
    username_only = Sender(wa_id=None, user_id="ID.99887766")

    batch = parse_payload(messages_from(username_only, username_only.text("halo")))

    assert batch.messages[0].inbound.handle == "ID.99887766"


def test_button_reply_becomes_the_chosen_option():
    batch = parse_payload(messages_from(WARGA, WARGA.button_reply("yes", "Ya")))

    assert batch.messages[0].inbound.option == "yes"
    assert batch.messages[0].inbound.text is None


def test_list_reply_becomes_the_chosen_option():
    batch = parse_payload(messages_from(WARGA, WARGA.list_reply("pungli", "Pungli")))

    assert batch.messages[0].inbound.option == "pungli"


@pytest.mark.parametrize(
    ("kind", "mime", "extra"),
    [
        ("image", "image/jpeg", {"caption": "bukti kuitansi"}),
        ("document", "application/pdf", {"filename": "kuitansi.pdf"}),
        ("audio", "audio/ogg; codecs=opus", {}),
    ],
)
def test_media_messages_keep_the_media_id_for_the_adapter(kind, mime, extra):
    msg = WARGA.media(kind, "4490709327384033", b"bytes", mime, **extra)

    (message,) = parse_payload(messages_from(WARGA, msg)).messages

    assert message.media.kind == kind
    assert message.media.media_id == "4490709327384033"
    assert message.media.mime_type == mime
    assert len(message.media.sha256) == 64
    assert message.media.filename == extra.get("filename")
    assert message.inbound.text == extra.get("caption")
    assert message.inbound.attachments == ()


def test_unsupported_message_is_marked_unsupported():
    (message,) = parse_payload(messages_from(WARGA, WARGA.unsupported())).messages

    assert not message.supported
    assert message.inbound.text is None
    assert message.inbound.option is None


@pytest.mark.parametrize("kind", ["sticker", "location", "contacts", "reaction"])
def test_other_known_types_are_unsupported_not_errors(kind):
    (message,) = parse_payload(messages_from(WARGA, WARGA.message(kind, {"x": 1}))).messages

    assert not message.supported
    assert message.kind == kind


def test_template_quick_reply_button_reads_as_its_text():
    msg = WARGA.message("button", {"text": "CEK", "payload": "CEK"})

    assert parse_payload(messages_from(WARGA, msg)).messages[0].inbound.text == "CEK"


def test_statuses_are_parsed_with_the_bsuid_and_error_codes():
    payload = webhook(
        change_value(
            statuses=(
                status("wamid.OUT1", "delivered", WARGA),
                status("wamid.OUT2", "failed", OLD_APP, error_code=131026),
            )
        )
    )

    delivered, failed = parse_payload(payload).statuses

    assert (delivered.message_id, delivered.status, delivered.handle) == (
        "wamid.OUT1",
        "delivered",
        WARGA.user_id,
    )
    assert (failed.status, failed.handle, failed.error_codes) == (
        "failed",
        OLD_APP.wa_id,
        (131026,),
    )


def test_batched_entries_and_messages_keep_their_order():
    other = Sender(wa_id="628111", user_id="ID.222")
    payload = webhook(
        change_value(
            senders=(WARGA, other),
            messages=(WARGA.text("satu"), other.text("dua"), WARGA.text("tiga")),
        ),
        change_value(senders=(other,), messages=(other.button_reply("ok"),)),
        change_value(statuses=(status("wamid.OUT9", "read", WARGA),)),
    )

    batch = parse_payload(payload)

    assert [(m.inbound.handle, m.inbound.text or m.inbound.option) for m in batch.messages] == [
        (WARGA.user_id, "satu"),
        ("ID.222", "dua"),
        (WARGA.user_id, "tiga"),
        ("ID.222", "ok"),
    ]
    assert [s.status for s in batch.statuses] == ["read"]


def test_raw_bytes_and_parsed_dicts_give_the_same_batch():
    payload = messages_from(WARGA, WARGA.text("halo", wamid="wamid.X"))
    raw, _ = signed(payload, SECRET)

    assert parse_payload(raw) == parse_payload(payload)


@pytest.mark.parametrize(
    "raw", [b"not json", b"[]", b'{"object": "page", "entry": []}', b"\xff\xfe", b"null"]
)
def test_bodies_that_are_not_whatsapp_webhooks_are_malformed(raw):
    with pytest.raises(MalformedPayloadError):
        parse_payload(raw)


def test_items_without_ids_or_of_other_fields_are_skipped_not_fatal():
    payload = webhook(change_value(messages=({"type": "text", "text": {"body": "x"}},)))
    payload["entry"].append({"id": "W", "changes": [{"field": "account_update", "value": {}}]})
    payload["entry"].append({"id": "W", "changes": "nonsense"})

    batch = parse_payload(payload)

    assert batch.messages == ()
    assert batch.statuses == ()


def test_parsed_messages_do_not_show_the_sender_in_their_repr():
    (message,) = parse_payload(messages_from(WARGA, WARGA.text("rahasia"))).messages

    assert WARGA.user_id not in repr(message)
    assert WARGA.wa_id not in repr(message)
    assert "rahasia" not in repr(message)


def test_changes_for_another_phone_number_of_the_app_are_ignored():
    ours = change_value(senders=(WARGA,), messages=(WARGA.text("untuk kami"),))
    theirs = change_value(senders=(WARGA,), messages=(WARGA.text("bukan"),), phone_number_id="999")

    batch = parse_payload(webhook(ours, theirs), phone_number_id="109876543210")

    assert [m.inbound.text for m in batch.messages] == ["untuk kami"]


@pytest.mark.parametrize(
    "message",
    [
        WARGA.text("halo"),
        WARGA.list_reply("pungli"),
        WARGA.media("document", "77", b"%PDF", "application/pdf", filename="a.pdf", caption="c"),
        WARGA.unsupported(),
    ],
)
def test_inbox_serialisation_round_trips(message):
    (parsed,) = parse_payload(messages_from(WARGA, message)).messages

    assert load_message(dump_message(parsed)) == parsed


@pytest.mark.parametrize(
    ("sender", "language"),
    [
        (Sender(wa_id="6281234567890", user_id="ID.1"), "id"),
        (Sender(wa_id="6281234567890", user_id=None), "id"),
        (Sender(wa_id=None, user_id="ID.77"), "id"),
        (Sender(wa_id="4915112345678", user_id="DE.12"), "en"),
        (Sender(wa_id=None, user_id="AU.99"), "en"),
    ],
)
def test_foreign_accounts_start_in_english_indonesian_ones_in_indonesian(sender, language):
    (message,) = parse_payload(messages_from(sender, sender.text("halo"))).messages

    assert message.inbound.language_hint == language


def test_media_ids_that_are_not_plain_ids_are_not_fetched():
    msg = WARGA.media("image", "../../me/accounts", b"x", "image/jpeg")

    (message,) = parse_payload(messages_from(WARGA, msg)).messages

    assert message.media is None
    assert not message.supported


def test_messages_with_absurdly_long_ids_are_skipped():
    batch = parse_payload(messages_from(WARGA, WARGA.text("halo", wamid="wamid." + "x" * 200)))

    assert batch.messages == ()
