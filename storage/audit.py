"""The audit log: append-only, hash-chained entries of every view, reply, status change,
assignment, export and officer change. Functions take a session and never commit.

Each entry stores the hash of the previous one; its own hash is SHA-256 over the canonical
JSON (sorted keys, no spaces, UTF-8) of seq, time, actor, action, ticket code, details and
previous hash. `verify` recomputes the chain, so an edited, inserted or deleted row shows up;
the `audit_head` row (newest seq and hash) also catches a deleted tail.

Call it from anywhere that changes or reveals something::

    await audit.record(session=s, actor=f"officer:{officer.id}", action="ticket_view",
                       ticket_code=ticket.code, details={"attachments": 2})

Lock order. Every transaction that writes a ticket, its thread or desk rows and the audit log
takes its row locks in this one order, so two workers never wait on each other in a circle
(on PostgreSQL a circle is a deadlock: one transaction is killed):

1. the reporter's conversation row (engine turns only: storage/conversations.py);
2. the ticket row: `tickets.lock_ticket` (`SELECT ... FOR NO KEY UPDATE`) before anything else
   about the ticket is read or written (officer actions in handlers/officer.py,
   handlers/officer_ticket.py; the reporter's follow-up in handlers/filing.py);
3. the ticket's own rows: thread messages, notes, attachments, desk/topic rows, outbox rows;
4. the audit head (`record` below, `SELECT ... FOR UPDATE` of `audit_head`) last: one row
   that every audited write shares, so it is taken as late and held as briefly as possible.
   Never read a ticket or write its rows after `record` in the same transaction.

The group-commit writer (storage/db.py) may put several such transactions' work into one
commit; a batch that loses a race is re-run one function at a time, and whatever still loses
(a deadlock, a serialization failure, a busy SQLite file) is re-run whole by the caller: the
conversation turn (handlers/engine/engine.py) or the officer turn (handlers/officer.py), both
through `handlers.races.rerun_lost_races`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models.audit import AuditEntry, AuditHead
from storage.models.base import utcnow

GENESIS = "0" * 64
MAX_DETAIL_TEXT = 64  # details hold counts and ids; long or spaced text is probably content
Scalar = str | int | float | bool | None


def canonical(value: Any) -> str:
    """Canonical JSON: sorted keys, no whitespace, non-ASCII kept as UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(*, seq: int, at: datetime, actor: str, action: str, ticket_code: str | None,
               details: str, prev_hash: str) -> str:
    """SHA-256 (hex) over the canonical JSON of one entry and its predecessor's hash."""
    body = {"seq": seq, "at": at.isoformat(), "actor": actor, "action": action,
            "ticket_code": ticket_code, "details": json.loads(details), "prev_hash": prev_hash}
    return hashlib.sha256(canonical(body).encode()).hexdigest()


def _check_details(details: Mapping[str, Any]) -> dict[str, Any]:
    """Only counts and ids: scalars or lists of scalars, short strings without spaces."""
    clean: dict[str, Any] = {}
    for key, value in details.items():
        items = value if isinstance(value, list | tuple) else [value]
        for item in items:
            if not isinstance(item, Scalar):
                raise TypeError(f"audit detail {key!r} must be a scalar or a list of scalars")
            if isinstance(item, str) and (len(item) > MAX_DETAIL_TEXT or any(c.isspace() for c in item)):
                raise ValueError(f"audit detail {key!r} looks like content; store ids only")
        clean[str(key)] = list(value) if isinstance(value, list | tuple) else value
    return clean


async def record(
    *, session: AsyncSession, actor: str, action: str, ticket_code: str | None = None,
    details: Mapping[str, Any] | None = None, now: datetime | None = None,
) -> AuditEntry:
    """Append one entry (in the caller's transaction) chained to the newest one."""
    at = now or utcnow()
    head = (await session.execute(
        select(AuditHead).where(col(AuditHead.id) == 1).with_for_update()
    )).scalar_one_or_none()
    if head is None:  # first entry ever; a concurrent first insert fails on the key and retries
        head = AuditHead(id=1, seq=0, hash=GENESIS)
        session.add(head)
    text = canonical(_check_details(details or {}))
    seq = head.seq + 1
    digest = entry_hash(seq=seq, at=at, actor=actor, action=action, ticket_code=ticket_code,
                        details=text, prev_hash=head.hash)
    entry = AuditEntry(seq=seq, at=at, actor=actor[:80], action=action, ticket_code=ticket_code,
                       details=text, prev_hash=head.hash, hash=digest)
    session.add(entry)
    head.seq, head.hash = seq, digest
    await session.flush()
    return entry


@dataclass
class Verdict:
    """What `verify` found: how many entries it checked and every problem, by entry number."""

    checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the chain is intact."""
        return not self.problems


async def verify(*, session: AsyncSession, batch: int = 1000) -> Verdict:
    """Recompute the whole chain; report edits, insertions, deletions and a cut tail."""
    verdict, expected_seq, prev = Verdict(), 1, GENESIS
    last_seq = 0
    while True:
        rows = (await session.execute(
            select(AuditEntry).where(col(AuditEntry.seq) > last_seq).order_by(col(AuditEntry.seq))
            .limit(batch)
        )).scalars().all()
        if not rows:
            break
        for row in rows:
            verdict.checked += 1
            if row.seq != expected_seq:
                verdict.problems.append(f"entries {expected_seq}..{row.seq - 1} missing (deleted)")
            if row.prev_hash != prev:
                verdict.problems.append(f"entry {row.seq}: does not follow the entry before it")
            recomputed = entry_hash(seq=row.seq, at=row.at, actor=row.actor, action=row.action,
                                    ticket_code=row.ticket_code, details=row.details,
                                    prev_hash=row.prev_hash)
            if recomputed != row.hash:
                verdict.problems.append(f"entry {row.seq}: content changed (hash mismatch)")
            expected_seq, prev, last_seq = row.seq + 1, row.hash, row.seq
        session.expunge_all()
    head = await session.get(AuditHead, 1)
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    if head_seq != last_seq or head_hash != prev:
        verdict.problems.append(
            f"newest entry is {last_seq} but the head says {head_seq} (entries removed or added)")
    return verdict


async def entries(
    *, session: AsyncSession, ticket_code: str | None = None, action: str | None = None,
    limit: int = 100,
) -> list[AuditEntry]:
    """The newest entries first, optionally for one ticket or one action."""
    query = select(AuditEntry)
    if ticket_code is not None:
        query = query.where(col(AuditEntry.ticket_code) == ticket_code)
    if action is not None:
        query = query.where(col(AuditEntry.action) == action)
    return list((await session.execute(query.order_by(col(AuditEntry.seq).desc()).limit(limit)))
                .scalars())
