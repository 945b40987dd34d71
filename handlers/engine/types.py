"""Channel-neutral messages: what an adapter hands the engine and what it renders back."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from enum import StrEnum


class ChannelKind(StrEnum):
    """Where a reporter talks to us; stored with tickets (never the account itself)."""

    CONSOLE = "console"
    TELEGRAM = "telegram"
    WHATSAPP = "whatsapp"


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file the reporter sent, already downloaded and cleaned by the adapter."""

    filename: str
    content_type: str
    data: bytes = field(repr=False)


@dataclass(frozen=True, slots=True)
class Inbound:
    """One thing a person did: typed text, chose an option, or sent files.

    `handle` is the platform's address for the person (chat id, wa_id/BSUID, console
    session); the engine only ever stores it as an HMAC and an encrypted routing handle.
    """

    channel: ChannelKind
    handle: str = field(repr=False)
    text: str | None = field(default=None, repr=False)
    option: str | None = None
    attachments: tuple[Attachment, ...] = field(default=(), repr=False)
    language_hint: str | None = None
    external_id: str | None = None


@dataclass(frozen=True, slots=True)
class Option:
    """A choice offered to the user: a stable id and its localised label."""

    id: str
    label: str
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Outbound:
    """One message for the person: text, optional choices, optional files.

    `remove_transcript` asks channels that can (Telegram) to offer deleting the chat.
    """

    text: str
    options: tuple[Option, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    offer_transcript_deletion: bool = False


def outbound_to_dict(message: Outbound) -> dict[str, object]:
    """A JSON-ready form of a message (kept sealed until the channel has sent it)."""
    return {
        "text": message.text,
        "options": [[o.id, o.label, o.description] for o in message.options],
        "attachments": [[a.filename, a.content_type, base64.b64encode(a.data).decode()]
                        for a in message.attachments],
        "offer_transcript_deletion": message.offer_transcript_deletion,
    }


def outbound_from_dict(data: dict[str, object]) -> Outbound:
    """The message back from `outbound_to_dict`."""
    options = tuple(Option(*item) for item in data.get("options") or ())  # type: ignore[attr-defined]
    files = tuple(Attachment(name, kind, base64.b64decode(raw))
                  for name, kind, raw in data.get("attachments") or ())  # type: ignore[attr-defined]
    return Outbound(str(data.get("text", "")), options, files,
                    bool(data.get("offer_transcript_deletion")))
