"""The audit log is append-only and hash-chained: any edit or deletion is found by verify."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, update

from bot.app import App
from storage import audit
from storage.models import AuditEntry

T0 = datetime(2026, 1, 20, 1, 0, tzinfo=UTC)


async def _record_three(app: App) -> None:
    for n, action in enumerate(("ticket.view", "ticket.reply", "ticket.status")):
        await app.db.write(lambda s, n=n, action=action: audit.record(
            session=s, actor="officer:abc", action=action, ticket_code="WBS-7K3M-Q9XD",
            details={"n": n, "ids": ["x1", "x2"]}, now=T0 + timedelta(minutes=n)))


async def test_intact_chain_verifies(app: App) -> None:
    await _record_three(app)
    verdict = await app.db.read(lambda s: audit.verify(session=s))
    assert verdict.ok, verdict.problems
    assert verdict.checked == 3
    rows = await app.db.read(lambda s: audit.entries(session=s))
    assert [r.seq for r in rows] == [3, 2, 1]
    assert rows[0].prev_hash == rows[1].hash


async def test_concurrent_records_form_one_chain(app: App) -> None:
    import asyncio  # noqa: PLC0415

    await asyncio.gather(*(app.db.write(lambda s, i=i: audit.record(
        session=s, actor="system", action="digest.sent", details={"i": i})) for i in range(20)))
    verdict = await app.db.read(lambda s: audit.verify(session=s))
    assert verdict.ok
    assert verdict.checked == 20


async def test_edited_entry_is_detected(app: App) -> None:
    await _record_three(app)
    await app.db.transaction(lambda s: s.execute(
        update(AuditEntry).where(AuditEntry.seq == 2).values(actor="officer:someone-else")))
    verdict = await app.db.read(lambda s: audit.verify(session=s))
    assert not verdict.ok
    assert any("entry 2" in p for p in verdict.problems)


async def test_deleted_middle_entry_is_detected(app: App) -> None:
    await _record_three(app)
    await app.db.transaction(lambda s: s.execute(delete(AuditEntry).where(AuditEntry.seq == 2)))
    verdict = await app.db.read(lambda s: audit.verify(session=s))
    assert any("missing" in p for p in verdict.problems)


async def test_deleted_newest_entry_is_detected(app: App) -> None:
    await _record_three(app)
    await app.db.transaction(lambda s: s.execute(delete(AuditEntry).where(AuditEntry.seq == 3)))
    verdict = await app.db.read(lambda s: audit.verify(session=s))
    assert not verdict.ok


async def test_rehashed_edit_still_breaks_the_next_link(app: App) -> None:
    await _record_three(app)
    row = (await app.db.read(lambda s: audit.entries(session=s)))[1]  # seq 2
    forged = audit.entry_hash(seq=2, at=row.at, actor="officer:other", action=row.action,
                              ticket_code=row.ticket_code, details=row.details,
                              prev_hash=row.prev_hash)
    await app.db.transaction(lambda s: s.execute(update(AuditEntry).where(AuditEntry.seq == 2)
                                                 .values(actor="officer:other", hash=forged)))
    verdict = await app.db.read(lambda s: audit.verify(session=s))
    assert any("entry 3" in p for p in verdict.problems)


async def test_details_refuse_report_content(app: App) -> None:
    with pytest.raises(ValueError, match="content"):
        await app.db.write(lambda s: audit.record(
            session=s, actor="officer:abc", action="ticket.reply",
            details={"text": "Petugas loket meminta uang Rp500.000 agar paspor cepat selesai"}))
    verdict = await app.db.read(lambda s: audit.verify(session=s))
    assert verdict.ok
    assert verdict.checked == 0
