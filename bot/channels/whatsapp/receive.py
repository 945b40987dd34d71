"""WhatsApp Cloud API webhook: signature check, GET handshake, payload -> neutral events.

Pure functions (no engine, no storage, no HTTP server) so they are tested on their own.
Payload shapes: Meta's "messages" webhook field (entry[].changes[].value with `contacts`,
`messages`, `statuses`); since 2026 senders also carry a business-scoped user id (BSUID):
`contacts[].user_id`, `messages[].from_user_id`, `statuses[].recipient_user_id`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from handlers.engine.types import ChannelKind, Inbound

SIGNATURE_HEADER = "X-Hub-Signature-256"
MEDIA_KINDS = ("image", "document", "audio")
MAX_INBOUND_TEXT = 4096
MAX_ID = 128  # the inbox's external id column
MEDIA_ID = re.compile(r"[0-9A-Za-z_-]{1,128}")  # becomes a URL path segment of the Graph API


class Signature(StrEnum):
    """Outcome of checking `X-Hub-Signature-256`."""

    MISSING = "missing"
    INVALID = "invalid"
    VALID = "valid"


class MalformedPayloadError(ValueError):
    """The (authenticated) body is not a WhatsApp webhook object."""


@dataclass(frozen=True, slots=True)
class MediaRef:
    """A file Meta holds for us: fetched by id later (the adapter downloads it)."""

    kind: str
    media_id: str
    mime_type: str
    sha256: str
    filename: str | None = None


@dataclass(frozen=True, slots=True)
class IncomingMessage:
    """One received message: the neutral `Inbound` plus what only WhatsApp knows.

    `supported` is False for types we do not handle (stickers, locations, contacts...).
    """

    inbound: Inbound
    timestamp: int
    kind: str
    media: MediaRef | None = None
    supported: bool = True


@dataclass(frozen=True, slots=True)
class StatusUpdate:
    """A delivery receipt for a message we sent: sent / delivered / read / failed."""

    message_id: str
    status: str
    timestamp: int
    handle: str = field(repr=False)
    error_codes: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class WebhookBatch:
    """Everything one POST carried, in order."""

    messages: tuple[IncomingMessage, ...] = ()
    statuses: tuple[StatusUpdate, ...] = ()


def sign(app_secret: str, raw_body: bytes) -> str:
    """The `X-Hub-Signature-256` value Meta sends: "sha256=" + HMAC-SHA256(app secret, body)."""
    digest = hmac.new(app_secret.encode(), raw_body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def check_signature(app_secret: str, raw_body: bytes, header: str | None) -> Signature:
    """Compare the header with HMAC-SHA256 of the raw body in constant time."""
    if not header:
        return Signature.MISSING
    expected = sign(app_secret, raw_body)
    given = header.strip()
    if given[:7].lower() == "sha256=":
        given = "sha256=" + given[7:].lower()
    ok = hmac.compare_digest(expected.encode(), given.encode("utf-8", "replace"))
    return Signature.VALID if ok else Signature.INVALID


def handshake_challenge(params: Mapping[str, str], verify_token: str) -> str | None:
    """The `hub.challenge` to echo when the GET verification request is genuine, else None."""
    if params.get("hub.mode") != "subscribe":
        return None
    given = params.get("hub.verify_token", "")
    if not hmac.compare_digest(given.encode("utf-8", "replace"), verify_token.encode()):
        return None
    challenge = params.get("hub.challenge", "")
    return challenge if challenge and len(challenge) <= 256 else None


def _int(value: Any) -> int:
    return int(value) if str(value or "").isdigit() else 0


def _dicts(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, list):
        yield from (item for item in value if isinstance(item, dict))


def _values(payload: Mapping[str, Any], phone_number_id: str | None) -> Iterator[dict[str, Any]]:
    """Each `value` of each "messages" change addressed to our phone number (when given)."""
    for entry in _dicts(payload.get("entry")):
        for change in _dicts(entry.get("changes")):
            value = change.get("value")
            if change.get("field", "messages") != "messages" or not isinstance(value, dict):
                continue
            metadata = value.get("metadata")
            ours = metadata.get("phone_number_id") if isinstance(metadata, dict) else None
            if phone_number_id is None or str(ours) == phone_number_id:
                yield value


def _sender(message: Mapping[str, Any], contacts: list[dict[str, Any]]) -> str | None:
    """The sender's BSUID when present, else their wa_id."""
    wa_id = message.get("from")
    if message.get("from_user_id"):
        return str(message["from_user_id"])
    for contact in contacts:
        if contact.get("user_id") and (contact.get("wa_id") == wa_id or len(contacts) == 1):
            return str(contact["user_id"])
    return str(wa_id) if wa_id else None


def _content(message: Mapping[str, Any]) -> tuple[str | None, str | None, MediaRef | None, bool]:
    """(text, option id, media, supported) for one message object."""
    kind = message.get("type")
    body = message.get(kind) if isinstance(kind, str) else None
    body = body if isinstance(body, dict) else {}
    if kind == "text":
        return str(body.get("body", ""))[:MAX_INBOUND_TEXT], None, None, True
    if kind == "interactive":
        reply = body.get(body.get("type", ""))
        if body.get("type") in ("button_reply", "list_reply") and isinstance(reply, dict):
            return None, str(reply.get("id", "")), None, True
        return None, None, None, False
    if kind == "button":  # quick-reply button of a template message: its text is the command
        text = str(body.get("text") or body.get("payload") or "")
        return text[:MAX_INBOUND_TEXT], None, None, True
    if kind in MEDIA_KINDS and MEDIA_ID.fullmatch(str(body.get("id", ""))):
        media = MediaRef(
            kind=kind,
            media_id=str(body["id"]),
            mime_type=str(body.get("mime_type", "application/octet-stream")),
            sha256=str(body.get("sha256", "")),
            filename=str(body["filename"]) if body.get("filename") else None,
        )
        caption = body.get("caption")
        return (str(caption)[:MAX_INBOUND_TEXT] if caption else None), None, media, True
    return None, None, None, False


def _message(message: Mapping[str, Any], contacts: list[dict[str, Any]]) -> IncomingMessage | None:
    handle = _sender(message, contacts)
    if not handle or not message.get("id") or len(str(message["id"])) > MAX_ID:
        return None
    text, option, media, supported = _content(message)
    inbound = Inbound(
        channel=ChannelKind.WHATSAPP,
        handle=handle,
        text=text,
        option=option,
        language_hint=language_hint(str(message.get("from") or ""), handle),
        external_id=str(message["id"]),
    )
    return IncomingMessage(
        inbound=inbound,
        timestamp=_int(message.get("timestamp")),
        kind=str(message.get("type", "unknown")),
        media=media,
        supported=supported,
    )


def language_hint(wa_id: str, handle: str) -> str:
    """Indonesian for Indonesian accounts (+62 number or an "ID." BSUID), else English.

    Only a new conversation's first language: anyone can switch with /bahasa.
    """
    indonesian = wa_id.startswith("62") if wa_id else handle.upper().startswith("ID.")
    return "id" if indonesian else "en"


def _status(status: Mapping[str, Any]) -> StatusUpdate | None:
    handle = status.get("recipient_user_id") or status.get("recipient_id")
    if not status.get("id") or not status.get("status") or not handle:
        return None
    codes = tuple(e["code"] for e in _dicts(status.get("errors")) if isinstance(e.get("code"), int))
    return StatusUpdate(
        message_id=str(status["id"]),
        status=str(status["status"]),
        timestamp=_int(status.get("timestamp")),
        handle=str(handle),
        error_codes=codes,
    )


def parse_payload(raw_body: bytes | Mapping[str, Any], *, phone_number_id: str | None = None) -> WebhookBatch:
    """Turn a webhook body into messages and statuses; items we cannot read are skipped.

    With `phone_number_id`, changes for other numbers of the same app are ignored.
    """
    if isinstance(raw_body, bytes | bytearray):
        try:
            payload = json.loads(raw_body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise MalformedPayloadError("body is not JSON") from exc
    else:
        payload = raw_body
    if not isinstance(payload, Mapping) or payload.get("object") != "whatsapp_business_account":
        raise MalformedPayloadError("not a whatsapp_business_account webhook")
    messages: list[IncomingMessage] = []
    statuses: list[StatusUpdate] = []
    for value in _values(payload, phone_number_id):
        contacts = list(_dicts(value.get("contacts")))
        for raw in _dicts(value.get("messages")):
            if (message := _message(raw, contacts)) is not None:
                messages.append(message)
        for raw in _dicts(value.get("statuses")):
            if (update := _status(raw)) is not None:
                statuses.append(update)
    return WebhookBatch(messages=tuple(messages), statuses=tuple(statuses))


def dump_message(message: IncomingMessage) -> bytes:
    """Serialise a message for the durable inbox (sealed by storage)."""
    inbound = message.inbound
    media = message.media
    return json.dumps(
        {
            "handle": inbound.handle,
            "text": inbound.text,
            "option": inbound.option,
            "lang": inbound.language_hint,
            "id": inbound.external_id,
            "timestamp": message.timestamp,
            "kind": message.kind,
            "supported": message.supported,
            "media": None
            if media is None
            else [media.kind, media.media_id, media.mime_type, media.sha256, media.filename],
        },
        ensure_ascii=False,
    ).encode()


def load_message(raw: bytes) -> IncomingMessage:
    """Rebuild a message stored by `dump_message` (replay after a restart)."""
    data = json.loads(raw)
    inbound = Inbound(
        channel=ChannelKind.WHATSAPP,
        handle=data["handle"],
        text=data["text"],
        option=data["option"],
        language_hint=data.get("lang"),
        external_id=data["id"],
    )
    media = MediaRef(*data["media"]) if data["media"] else None
    return IncomingMessage(inbound, data["timestamp"], data["kind"], media, data["supported"])
