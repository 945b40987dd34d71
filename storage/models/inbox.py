"""Durable inbox: every update is stored (sealed) before it is acknowledged."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.crypto import Contract
from storage.models.base import blob, new_id, when

INBOX_PAYLOAD = Contract("inbox", "payload")
INBOX_REPLIES = Contract("inbox", "replies")


class InboxItem(SQLModel, table=True):
    """One platform update; (channel, external_id) is unique so redeliveries are no-ops."""

    __tablename__ = "inbox"
    __table_args__ = (UniqueConstraint("channel", "external_id", name="uq_inbox_channel_external"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    channel: str = Field(max_length=16)
    external_id: str = Field(max_length=128)
    payload: bytes = blob(nullable=False)
    received_at: datetime = when(default_now=True)
    processed_at: datetime | None = when(index=True)
    # Handling failed this many times; after the last try the row is dead (failed_at set),
    # listed by `wbs inbox failed` and replayed by `wbs inbox retry ID`, never marked processed.
    attempts: int = 0
    failed_at: datetime | None = when(index=True)
    last_error: str | None = Field(default=None, max_length=64)
    # the engine's answers, kept from its commit until the channel has sent them (a crash in
    # between resends them on start); cleared when the row is marked processed
    replies: bytes | None = blob()
