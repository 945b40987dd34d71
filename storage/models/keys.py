"""Per-report data keys, wrapped by a key-encryption key; deleting one shreds its report."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from storage.models.base import blob, new_id, when


class DataKey(SQLModel, table=True):
    """A report's AES-256 data key, wrapped with KEK `kek_id` (AAD: data_key/wrapped/id)."""

    __tablename__ = "data_key"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    kek_id: str = Field(max_length=32, index=True)
    wrapped: bytes = blob(nullable=False)
    created_at: datetime = when(default_now=True)
