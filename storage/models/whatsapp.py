"""What the WhatsApp channel remembers: per-reporter window times and delivery receipts.

No content and no phone numbers: reporters are keyed by HMAC(whatsapp:handle) like the
conversation; deliveries by Meta's message id (wamid) of messages we sent.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from storage.models.base import when


class WhatsAppContact(SQLModel, table=True):
    """The 24-hour customer-service window of one reporter, and numbered options on offer.

    `numbered` is JSON of the option ids last shown as numbered text (more than ten
    options), so a typed "7" can be read back as the seventh option.
    """

    __tablename__ = "whatsapp_contact"

    digest: str = Field(primary_key=True, max_length=64)
    last_inbound_at: datetime | None = when()
    template_sent_at: datetime | None = when()
    numbered: str = Field(default="[]")
    updated_at: datetime = when(default_now=True)


class WhatsAppDelivery(SQLModel, table=True):
    """Meta's delivery receipts for an outbox message we sent (sent/delivered/read/failed).

    A "failed" receipt also marks the outbox row failed, which is how the officer side
    learns that a message to the reporter did not arrive (`storage.officers`).
    """

    __tablename__ = "whatsapp_delivery"

    wamid: str = Field(primary_key=True, max_length=128)
    outbox_id: str | None = Field(default=None, max_length=32)
    ticket_id: str | None = Field(default=None, max_length=32, index=True)
    purpose: str | None = Field(default=None, max_length=32)
    status: str = Field(default="sent", max_length=16)
    error_code: int | None = None
    sent_at: datetime = when(default_now=True)
    updated_at: datetime = when(default_now=True, index=True)
