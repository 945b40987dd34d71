"""The audit log: an append-only, hash-chained list of what officers and jobs did."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from storage.models.base import new_id, when


class AuditEntry(SQLModel, table=True):
    """One action. `hash` = SHA-256 over the canonical JSON of the entry including
    `prev_hash`, so editing or deleting any entry breaks the chain after it."""

    __tablename__ = "audit_entry"

    seq: int = Field(primary_key=True)
    id: str = Field(default_factory=new_id, unique=True, max_length=32)
    at: datetime = when(default_now=True, index=True)
    actor: str = Field(max_length=80)
    action: str = Field(max_length=64, index=True)
    ticket_code: str | None = Field(default=None, max_length=32, index=True)
    details: str = Field(default="{}")  # canonical JSON of counts and ids, never content
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64, unique=True)


class AuditHead(SQLModel, table=True):
    """The newest entry's number and hash (one row): catches a deleted tail, and its row
    lock serialises appends across workers on PostgreSQL."""

    __tablename__ = "audit_head"

    id: int = Field(default=1, primary_key=True)
    seq: int = 0
    hash: str = Field(max_length=64)
