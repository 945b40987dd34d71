"""Files attached to a draft before submission, sealed with the ephemeral key."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from storage.crypto import Contract
from storage.models.base import blob, new_id, when

DRAFT_FILE_NAME = Contract("draft_attachment", "name")
DRAFT_FILE_DATA = Contract("draft_attachment", "data")


class DraftAttachment(SQLModel, table=True):
    """An attachment of an unfinished report; moved into the ticket on submit."""

    __tablename__ = "draft_attachment"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    digest: str = Field(index=True, max_length=64)
    content_type: str = Field(max_length=128)
    size: int = 0
    name: bytes = blob(nullable=False)
    data: bytes = blob(nullable=False)
    created_at: datetime = when(default_now=True)
