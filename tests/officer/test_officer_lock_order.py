"""Officer actions on one ticket from two workers at once: they queue on the ticket row and
never hold the shared audit head while waiting (the lock order of storage/audit.py), so an
officer's reply on one worker and `/lihat` on another both land, and the audit chain holds."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select, text

from bot.app import App
from handlers.officer import handle
from handlers.officer_desk import OfficerAction
from handlers.reporter_notices import ACK_NOTICE
from storage import audit, tickets
from storage.models import OutboxItem
from tests.officer.test_officer_handlers import _filed, _officer
from tests.support.reporter import Reporter


async def someone_waits_for_a_lock(app: App) -> None:
    """Until a transaction of this database waits for a row lock."""
    for _ in range(500):
        waiting = await app.db.read(lambda s: s.execute(text(
            "SELECT count(*) FROM pg_locks WHERE NOT granted AND locktype <> 'virtualxid'")))
        if waiting.scalar_one():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the officer action never waited for the ticket")


async def test_viewing_waits_for_the_ticket_without_holding_the_audit_head(
        app: App, reporter: Reporter):
    if app.db.dialect != "postgresql":
        pytest.skip("row locks between workers: PostgreSQL (SQLite has one writer at a time)")
    code = await _filed(app, reporter)
    officer = await _officer(app)
    ticket = await app.db.read(lambda s: tickets.find_ticket(session=s, code=code))
    assert ticket is not None

    # another worker relays an officer's reply to this ticket: ticket row first, audit head last
    async with app.db.sessions() as s, s.begin():
        await s.execute(text("SET LOCAL lock_timeout = '100ms'"))  # waiting for the head fails
        locked = await tickets.lock_ticket(session=s, ticket_id=ticket.id)
        assert locked is not None
        await tickets.add_message(session=s, ring=app.services.ring, ticket=locked, author="officer",
                                  text="Terima kasih, laporan sedang kami pelajari.",
                                  now=app.services.clock(), officer_id=officer.id)
        viewing = asyncio.create_task(handle(app.services, OfficerAction(
            officer=officer, place="dm", command="lihat", args=code)))
        await someone_waits_for_a_lock(app)  # /lihat queues behind the ticket row
        await audit.record(session=s, actor=f"officer:{officer.id}", action="ticket_reply",
                           ticket_code=code)
    shown = await viewing

    assert "Terima kasih, laporan sedang kami pelajari." in shown.messages[0].text
    acks = (await app.db.read(lambda s: s.execute(select(OutboxItem).where(
        OutboxItem.ticket_id == ticket.id, OutboxItem.purpose == ACK_NOTICE)))).scalars().all()
    assert len(acks) == 1
    actions = [e.action for e in await app.db.read(lambda s: audit.entries(session=s,
                                                                             ticket_code=code))]
    assert actions == ["ticket_view", "ticket_reply"]
    verdict = await app.db.read(lambda s: audit.verify(session=s))
    assert verdict.ok, verdict.problems
