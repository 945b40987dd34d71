"""Reminders a gift reporter asked for: "remind me before my deadline if my report is still a
draft". The routing handle is sealed; the row holds no report content, only dates."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Field, SQLModel

from storage.crypto import Contract
from storage.models.base import blob, when

GIFT_REMINDER_ROUTE = Contract("gift_reminder", "route")


class GiftReminder(SQLModel, table=True):
    """One per conversation (its digest); `first_*`/`final_*` are the two reminders (a due
    time of None means not scheduled, e.g. already past when the reporter agreed)."""

    __tablename__ = "gift_reminder"

    digest: str = Field(primary_key=True, max_length=64)
    channel: str = Field(max_length=16)
    route: bytes = blob(nullable=False)
    deadline: date
    first_due_at: datetime | None = when(index=True)
    first_sent_at: datetime | None = when()
    final_due_at: datetime | None = when(index=True)
    final_sent_at: datetime | None = when()
    created_at: datetime = when(default_now=True)
