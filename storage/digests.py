"""What the digest and the SLA reminders need from the tickets: counts grouped in SQL and the
oldest few codes per section. Only codes, kinds, categories, channels, statuses and times are
read; content columns never are. Functions take a session and never commit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from statistics import median
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, not_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import DigestRecord, SlaReminder, Ticket
from storage.models.base import new_id
from storage.upsert import insert_ignore

FORWARDED_KPK = "diteruskan_kpk"
_LINE_COLUMNS = (col(Ticket.id), col(Ticket.code), col(Ticket.kind), col(Ticket.category),
                 col(Ticket.created_at))


@dataclass(frozen=True, slots=True)
class TicketLine:
    """One ticket as a digest lists it: never more than this."""

    id: str
    code: str
    kind: str
    category: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Section:
    """How many tickets match, and the oldest few of them."""

    count: int
    oldest: list[TicketLine] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class DigestFacts:
    """Counts for one digest, as of one instant."""

    new_by_category: dict[tuple[str, str], int]
    new_by_channel: dict[str, int]
    waiting: Section
    breaches: dict[str, Section]
    unanswered: Section
    open_by_status: dict[str, int]


@dataclass(frozen=True, slots=True)
class Indicators:
    """ISO 37002 performance indicators over a window: medians in seconds."""

    acknowledged: int
    median_ack_seconds: float | None
    closed: int
    median_close_seconds: float | None
    closed_by_status: dict[str, int]


def _open() -> ColumnElement[bool]:
    return col(Ticket.closed_at).is_(None)


def _no_first_response() -> ColumnElement[bool]:
    return and_(col(Ticket.acknowledged_at).is_(None), col(Ticket.last_officer_message_at).is_(None))


def breach_clause(deadline: str, cutoff: datetime) -> ColumnElement[bool]:
    """Open tickets that came in before `cutoff` and have not met `deadline` (ack/kpk/feedback)."""
    late = and_(_open(), col(Ticket.created_at) < cutoff)
    if deadline == "ack":
        return and_(late, _no_first_response())
    if deadline == "kpk":
        return and_(late, col(Ticket.kind) == "gift", col(Ticket.status) != FORWARDED_KPK)
    if deadline == "feedback":
        return and_(late, col(Ticket.last_officer_message_at).is_(None))
    raise ValueError(deadline)


def _unanswered() -> ColumnElement[bool]:
    return and_(_open(), col(Ticket.last_reporter_message_at).is_not(None),
                or_(col(Ticket.last_officer_message_at).is_(None),
                    col(Ticket.last_reporter_message_at) > col(Ticket.last_officer_message_at)))


async def _oldest(session: AsyncSession, where: ColumnElement[bool], limit: int
                  ) -> list[TicketLine]:
    rows = (await session.execute(
        select(*_LINE_COLUMNS).where(where).order_by(col(Ticket.created_at)).limit(limit)
    )).all()
    return [TicketLine(*row) for row in rows]


async def _open_counts(session: AsyncSession, scope: ColumnElement[bool],
                       sections: dict[str, ColumnElement[bool]]) -> tuple[dict[str, int], dict[str, int]]:
    """Open tickets per status and per section, in one pass over the open tickets."""
    sums = [func.sum(case((cond, 1), else_=0)) for cond in sections.values()]
    rows = (await session.execute(select(col(Ticket.status), func.count(), *sums)
                                  .where(scope, _open()).group_by(col(Ticket.status)))).all()
    per_section = {name: sum(int(row[2 + i] or 0) for row in rows)
                   for i, name in enumerate(sections)}
    return {row[0]: int(row[1]) for row in rows}, per_section


async def _grouped(session: AsyncSession, columns: list[Any], where: ColumnElement[bool]
                   ) -> dict[Any, int]:
    rows = (await session.execute(
        select(*columns, func.count()).where(where).group_by(*columns))).all()
    return {(tuple(row[:-1]) if len(columns) > 1 else row[0]): int(row[-1]) for row in rows}


async def digest_facts(
    *, session: AsyncSession, window_start: datetime, window_end: datetime,
    cutoffs: dict[str, datetime], conflict_of_interest: bool = False, limit: int = 10,
) -> DigestFacts:
    """New tickets in [window_start, window_end), open tickets waiting, late and unanswered.

    Conflict-of-interest tickets are counted apart (`conflict_of_interest=True`): they belong
    to the escalation chat and must not show up in the team's digest."""
    scope = col(Ticket.conflict_of_interest).is_(conflict_of_interest)
    new = and_(scope, col(Ticket.created_at) >= window_start, col(Ticket.created_at) < window_end)
    sections = {"waiting": _no_first_response(), "unanswered": _unanswered(),
                **{name: breach_clause(name, cutoff) for name, cutoff in cutoffs.items()}}
    by_status, counts = await _open_counts(session, scope, sections)
    found = {name: Section(counts[name], await _oldest(session, and_(scope, _open(), cond), limit)
                           if counts[name] else [])
             for name, cond in sections.items()}
    return DigestFacts(
        new_by_category=await _grouped(session, [col(Ticket.kind), col(Ticket.category)], new),
        new_by_channel=await _grouped(session, [col(Ticket.channel)], new),
        waiting=found["waiting"],
        breaches={name: found[name] for name in cutoffs},
        unanswered=found["unanswered"],
        open_by_status=by_status,
    )


def _median_seconds(pairs: Sequence[tuple[datetime, datetime | None]]) -> float | None:
    spans = [(end - start).total_seconds() for start, end in pairs if end is not None]
    return median(spans) if spans else None


async def indicators(*, session: AsyncSession, since: datetime, until: datetime,
                     conflict_of_interest: bool = False) -> Indicators:
    """Acknowledgements and closures in [since, until): how many, how fast, closed how."""
    scope = col(Ticket.conflict_of_interest).is_(conflict_of_interest)
    acked = (await session.execute(select(col(Ticket.created_at), col(Ticket.acknowledged_at)).where(
        scope, col(Ticket.acknowledged_at) >= since, col(Ticket.acknowledged_at) < until))).all()
    in_window = and_(scope, col(Ticket.closed_at) >= since, col(Ticket.closed_at) < until)
    closed = (await session.execute(
        select(col(Ticket.created_at), col(Ticket.closed_at)).where(in_window))).all()
    return Indicators(
        acknowledged=len(acked), median_ack_seconds=_median_seconds(acked),
        closed=len(closed), median_close_seconds=_median_seconds(closed),
        closed_by_status=await _grouped(session, [col(Ticket.status)], in_window),
    )


async def last_window_end(*, session: AsyncSession, kind: str) -> datetime | None:
    """Where the previous digest of this kind stopped counting new tickets."""
    return (await session.execute(select(func.max(col(DigestRecord.window_end)))
                                  .where(col(DigestRecord.kind) == kind))).scalar()


async def record_digest(
    *, session: AsyncSession, period_key: str, kind: str, window_start: datetime,
    window_end: datetime, now: datetime,
) -> bool:
    """Claim a digest period; False when it was already sent (by us or another worker)."""
    return await insert_ignore(session, DigestRecord, {
        "period_key": period_key, "kind": kind, "window_start": window_start,
        "window_end": window_end, "created_at": now})


async def is_recorded(*, session: AsyncSession, period_key: str) -> bool:
    """Whether this digest period was sent."""
    return await session.get(DigestRecord, period_key) is not None


async def mark_emailed(*, session: AsyncSession, period_key: str, now: datetime) -> None:
    """The digest of this period went out by e-mail."""
    row = await session.get(DigestRecord, period_key)
    if row is not None:
        row.emailed_at = now


async def crossing(
    *, session: AsyncSession, deadline: str, level: str, cutoff: datetime, limit: int = 200,
) -> list[TicketLine]:
    """Late tickets that have not had this reminder yet, oldest first."""
    reminded = select(col(SlaReminder.id)).where(col(SlaReminder.ticket_id) == col(Ticket.id),
                                                 col(SlaReminder.deadline) == deadline,
                                                 col(SlaReminder.level) == level)
    rows = (await session.execute(
        select(*_LINE_COLUMNS).where(breach_clause(deadline, cutoff), not_(reminded.exists()))
        .order_by(col(Ticket.created_at)).limit(limit))).all()
    return [TicketLine(*row) for row in rows]


async def record_reminder(
    *, session: AsyncSession, ticket_id: str, deadline: str, level: str, now: datetime,
) -> bool:
    """Claim one reminder; False if it was sent already."""
    return await insert_ignore(session, SlaReminder, {
        "id": new_id(),
        "ticket_id": ticket_id, "deadline": deadline, "level": level, "created_at": now})

