"""A ticket (one report), its thread of messages and its attachments; content is sealed
with the ticket's data key."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from storage.crypto import Contract
from storage.models.base import blob, new_id, when

TICKET_CONTENT = Contract("ticket", "content")
TICKET_ROUTE = Contract("ticket", "route")
MESSAGE_BODY = Contract("ticket_message", "body")
ATTACHMENT_NAME = Contract("ticket_attachment", "name")
ATTACHMENT_DATA = Contract("ticket_attachment", "data")


class Ticket(SQLModel, table=True):
    """A submitted report. Officers see the code, category, channel kind and times."""

    __tablename__ = "ticket"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    code: str = Field(unique=True, index=True, max_length=32)
    kind: str = Field(default="complaint", max_length=16, index=True)
    category: str = Field(max_length=64, index=True)
    channel: str = Field(max_length=16)
    status: str = Field(default="diterima", max_length=32, index=True)
    data_key_id: str = Field(foreign_key="data_key.id", max_length=32)
    secret_hash: str = Field(max_length=256)
    content: bytes = blob(nullable=False)
    route: bytes | None = blob()
    conflict_of_interest: bool = False
    failed_attempts: int = 0
    locked_until: datetime | None = when()
    created_at: datetime = when(default_now=True, index=True)
    updated_at: datetime = when(default_now=True)
    acknowledged_at: datetime | None = when()
    closed_at: datetime | None = when(index=True)
    last_reporter_message_at: datetime | None = when()
    last_officer_message_at: datetime | None = when()


class TicketMessage(SQLModel, table=True):
    """One message of the anonymous thread between reporter and the team."""

    __tablename__ = "ticket_message"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    ticket_id: str = Field(foreign_key="ticket.id", index=True, max_length=32)
    author: str = Field(max_length=16)  # reporter | officer | system
    officer_id: str | None = Field(default=None, max_length=64)  # never shown to reporters
    body: bytes = blob(nullable=False)
    created_at: datetime = when(default_now=True, index=True)


class TicketAttachment(SQLModel, table=True):
    """A file attached to a ticket (already cleaned of metadata), sealed like its content."""

    __tablename__ = "ticket_attachment"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    ticket_id: str = Field(foreign_key="ticket.id", index=True, max_length=32)
    message_id: str | None = Field(default=None, max_length=32)
    content_type: str = Field(max_length=128)
    size: int = 0
    name: bytes = blob(nullable=False)
    data: bytes = blob(nullable=False)
    created_at: datetime = when(default_now=True)
