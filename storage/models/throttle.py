"""Failed receipt look-ups, by HMAC: per sender and per Kode Laporan (see storage/throttles.py)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from storage.models.base import when


class SenderThrottle(SQLModel, table=True):
    """Wrong code/secret guesses of one sender or on one code; no look-up before `locked_until`."""

    __tablename__ = "sender_throttle"

    digest: str = Field(primary_key=True, max_length=64)
    failures: int = 0
    locked_until: datetime | None = when()
    updated_at: datetime = when(default_now=True)
