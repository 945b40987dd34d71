"""Durable outbox: messages to people other than the sender, delivered with retries."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger
from sqlmodel import Field, SQLModel

from storage.crypto import Contract
from storage.models.base import blob, new_id, when

OUTBOX_ROUTE = Contract("outbox", "route")
OUTBOX_PAYLOAD = Contract("outbox", "payload")


class OutboxItem(SQLModel, table=True):
    """A message waiting for delivery; `seq` keeps per-route order."""

    __tablename__ = "outbox"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    seq: int = Field(sa_type=BigInteger, index=True)
    channel: str = Field(max_length=16, index=True)
    purpose: str = Field(max_length=32)
    route_digest: str = Field(max_length=64, index=True)
    route: bytes = blob(nullable=False)
    payload: bytes = blob(nullable=False)
    ticket_id: str | None = Field(default=None, max_length=32, index=True)
    attempts: int = 0
    created_at: datetime = when(default_now=True)
    next_attempt_at: datetime | None = when(index=True)
    delivered_at: datetime | None = when(index=True)
    failed_at: datetime | None = when()
    last_error: str | None = Field(default=None, max_length=64)
    # A worker claims a row before sending it: nobody else sends it until the lease runs out.
    claimed_by: str | None = Field(default=None, max_length=64)
    claimed_until: datetime | None = when(index=True)
    # The platform's message ids once sent (comma-separated), so a resend after a crash between
    # sending and marking is visible.
    sent_ids: str | None = Field(default=None, max_length=256)
