"""Officers of the UPG/TPG allowed to work tickets, and where each ticket lives in their chat."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column
from sqlmodel import Field, SQLModel

from storage.crypto import Contract
from storage.models.base import blob, new_id, when

ROLES = ("officer", "admin")
NOTE_BODY = Contract("officer_note", "body")


class Officer(SQLModel, table=True):
    """An allow-listed Telegram user. `name` is internal: reporters only ever see "Petugas UPG"."""

    __tablename__ = "officer"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    telegram_user_id: int = Field(sa_column=Column(BigInteger, unique=True, nullable=False))
    role: str = Field(default="officer", max_length=16)
    name: str = Field(default="", max_length=80)
    username: str | None = Field(default=None, max_length=64, index=True)  # Telegram @username
    active: bool = True
    added_at: datetime = when(default_now=True)
    removed_at: datetime | None = when()


class TicketDesk(SQLModel, table=True):
    """Where a ticket is worked: its chat and forum topic (None when the chat is no forum)
    and the officer it is assigned to."""

    __tablename__ = "ticket_desk"

    ticket_id: str = Field(primary_key=True, foreign_key="ticket.id", max_length=32)
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    thread_id: int | None = Field(default=None, index=True)
    header_message_id: int | None = None
    assigned_officer_id: str | None = Field(default=None, max_length=32)
    created_at: datetime = when(default_now=True)


class DeskTopic(SQLModel, table=True):
    """Every forum topic that was ever a ticket's: a message in any of them reaches the ticket,
    even after a second worker's topic for it was recorded as the current one."""

    __tablename__ = "desk_topic"

    chat_id: int = Field(sa_column=Column(BigInteger, primary_key=True))
    thread_id: int = Field(sa_column=Column(BigInteger, primary_key=True))
    ticket_id: str = Field(max_length=32, index=True)
    created_at: datetime = when(default_now=True)


class DeskMessage(SQLModel, table=True):
    """A message in the officers' chat that belongs to a ticket: replying to it means that
    ticket. This map is the only way a reply is tied to a ticket (never parsed from text)."""

    __tablename__ = "desk_message"

    chat_id: int = Field(sa_column=Column(BigInteger, primary_key=True))
    message_id: int = Field(sa_column=Column(BigInteger, primary_key=True))
    ticket_id: str = Field(max_length=32, index=True)
    created_at: datetime = when(default_now=True)


class DeliveryAlert(SQLModel, table=True):
    """A reporter-bound outbox message whose failure was already shown to the officers."""

    __tablename__ = "delivery_alert"

    outbox_id: str = Field(primary_key=True, max_length=32)
    created_at: datetime = when(default_now=True)


class OfficerNote(SQLModel, table=True):
    """An internal note (`/catatan`) on a ticket, sealed with the ticket's data key. Kept out
    of the ticket thread so it can never reach the reporter's status view."""

    __tablename__ = "officer_note"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    ticket_id: str = Field(foreign_key="ticket.id", index=True, max_length=32)
    officer_id: str = Field(max_length=32)
    body: bytes = blob(nullable=False)
    created_at: datetime = when(default_now=True)
