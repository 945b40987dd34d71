"""Scheduler bookkeeping: digests sent (one per period), SLA reminders sent (one per ticket,
deadline and level) and the lease that makes one worker the scheduler. No content here."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel, col

from storage.models.base import new_id, when
from storage.models.ticket import Ticket


class DigestRecord(SQLModel, table=True):
    """One digest period ("daily:2026-11-23"); the unique key makes each period send once."""

    __tablename__ = "digest_record"

    period_key: str = Field(primary_key=True, max_length=64)
    kind: str = Field(max_length=16, index=True)  # daily | weekly | manual
    window_start: datetime = when(nullable=False)
    window_end: datetime = when(nullable=False, index=True)
    created_at: datetime = when(default_now=True)
    emailed_at: datetime | None = when()


class SlaReminder(SQLModel, table=True):
    """A reminder sent because a ticket crossed a deadline ("ack", "kpk", "feedback");
    level "due" goes to the ticket's topic, "escalated" to the escalation chat."""

    __tablename__ = "sla_reminder"
    __table_args__ = (UniqueConstraint("ticket_id", "deadline", "level",
                                       name="uq_sla_reminder_ticket_deadline_level"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    ticket_id: str = Field(max_length=32, index=True)
    deadline: str = Field(max_length=16)
    level: str = Field(max_length=16)
    created_at: datetime = when(default_now=True)


class SchedulerLease(SQLModel, table=True):
    """Who runs the scheduler; another worker takes over once `expires_at` has passed."""

    __tablename__ = "scheduler_lease"

    name: str = Field(primary_key=True, max_length=32)
    holder: str = Field(max_length=64)
    expires_at: datetime = when(nullable=False)


# The digest's queries on the core's ticket table: open tickets oldest first (the list of each
# section stops after a few rows) and acknowledgements in a week (ISO 37002 indicators).
Index("ix_ticket_open_oldest", col(Ticket.closed_at), col(Ticket.created_at))
Index("ix_ticket_acknowledged_at", col(Ticket.acknowledged_at))
