"""Channel-neutral messages: what an adapter hands the engine and what it renders back."""

from __future__ import annotations

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
