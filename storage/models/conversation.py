"""Where each reporter is in a flow; the draft and navigation state are sealed."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from storage.crypto import Contract
from storage.models.base import blob, when

CONVERSATION_STATE = Contract("conversation", "state")


class Conversation(SQLModel, table=True):
    """Keyed by HMAC(channel:handle); `version` guards concurrent writers."""

    __tablename__ = "conversation"

    digest: str = Field(primary_key=True, max_length=64)
    channel: str = Field(max_length=16)
    lang: str = Field(default="id", max_length=8)
    flow: str | None = Field(default=None, max_length=32)
    step: str | None = Field(default=None, max_length=64)
    state: bytes | None = blob()
    version: int = 0
    updated_at: datetime = when(default_now=True)
    expires_at: datetime | None = when(index=True)
    last_inbound_at: datetime | None = when()
