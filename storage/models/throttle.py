"""Failed receipt look-ups per sender (by HMAC), to stop guessing across tickets."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from storage.models.base import when


class SenderThrottle(SQLModel, table=True):
    """Wrong code/secret attempts of one sender; locked until `locked_until`."""

    __tablename__ = "sender_throttle"

    digest: str = Field(primary_key=True, max_length=64)
    failures: int = 0
    locked_until: datetime | None = when()
    updated_at: datetime = when(default_now=True)
