"""Retention: closed tickets are crypto-shredded after the retention period, finished inbox and
outbox rows and abandoned drafts are pruned, and each purge leaves an audit entry of counts."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlmodel import SQLModel

from bot.app import App
from bot.scheduler import Scheduler
from storage import audit, digests, inbox, officers, outbox, telegram_chats, tickets
from storage.conversations import ConversationState, save_conversation
from storage.crypto import DecryptionError, unseal, unwrap_data_key
from storage.models import DataKey, InboxItem, OutboxItem, Ticket
from storage.models.ticket import TICKET_CONTENT
from tests.scheduler.conftest import Clock, local, seed_ticket


async def old_ticket_with_everything(app: App, code: str, closed_days_ago: int) -> Ticket:
    """A closed ticket with a thread, a file, a topic, a note, a reminder and a queued notice."""
    now = app.services.clock()
    ring = app.services.ring
    ticket = await seed_ticket(app, code, now - timedelta(days=closed_days_ago + 30),
                               status="selesai", closed_at=now - timedelta(days=closed_days_ago))

    async def extras(s: Any) -> None:
        row = await tickets.get_ticket(session=s, ticket_id=ticket.id)
        await tickets.add_attachment(session=s, ring=ring, ticket=row, name="kuitansi.jpg",
                                     content_type="image/jpeg", data=b"JPEG bytes", now=now)
        await officers.place_ticket(session=s, ticket_id=ticket.id, chat_id=-100, thread_id=7,
                                    header_message_id=70, now=now)
        await officers.map_messages(session=s, chat_id=-100, message_ids=[70, 71],
                                    ticket_id=ticket.id, now=now)
        officer = await officers.add_officer(session=s, telegram_user_id=hash(code) % 10**6,
                                             role="officer", name="Sari", now=now)
        await officers.add_note(session=s, ring=ring, ticket=row, officer_id=officer.id,
                                text="catatan internal", now=now)
        await digests.record_reminder(session=s, ticket_id=ticket.id, deadline="ack",
                                      level="due", now=now)
        await outbox.enqueue(session=s, ring=ring, channel="telegram", handle="42",
                             purpose="status", payload={"code": code}, now=now,
                             ticket_id=ticket.id)
    await app.db.transaction(extras)
    return ticket


async def rows_about(app: App, ticket_id: str) -> dict[str, int]:
    """How many rows of each table still refer to the ticket."""
    found = {}
    async def count(s: Any) -> None:
        for table in SQLModel.metadata.sorted_tables:
            column = table.c.get("ticket_id") if table.name != "ticket" else table.c.id
            if column is not None:
                n = (await s.execute(select(func.count()).select_from(table)
                                     .where(column == ticket_id))).scalar()
                if n:
                    found[table.name] = n
    await app.db.read(count)
    return found


async def test_retention_shreds_old_closed_tickets_and_keeps_the_rest_readable(
    app: App, clock: Clock, scheduler: Scheduler,
) -> None:
    clock.set(2026, 12, 1, 2, 15)
    old = await old_ticket_with_everything(app, "WBS-OLDD-0001", closed_days_ago=400)
    assert set(await rows_about(app, old.id)) >= {
        "ticket", "ticket_message", "ticket_attachment", "ticket_desk", "desk_message",
        "officer_note", "sla_reminder", "outbox"}
    recent = await seed_ticket(app, "WBS-RCNT-0002", local(2026, 10, 1, 9), status="selesai",
                               closed_at=local(2026, 11, 1, 9))
    still_open = await seed_ticket(app, "WBS-OPEN-0003", local(2024, 1, 10, 9))

    counts = await scheduler.jobs.retention_round()

    assert counts["ticket"] == 1
    assert counts["data_key"] == 1
    assert await rows_about(app, old.id) == {}
    # no key left in the database opens what the old ticket's ciphertext was
    keys = await app.db.read(lambda s: s.execute(select(DataKey)))
    for key_row in keys.scalars():
        key = unwrap_data_key(app.services.ring, key_row.kek_id, key_row.wrapped,
                              key_row_id=key_row.id)
        with pytest.raises(DecryptionError):
            unseal(key, old.content, aad=TICKET_CONTENT.aad(old.id))
    for kept in (recent, still_open):
        content = await app.db.read(lambda s, k=kept: tickets.read_content(
            session=s, ring=app.services.ring, ticket=k))
        assert content["reported_person"] == "Budi Santoso"

    entries = await app.db.read(lambda s: audit.entries(session=s, action="retention.tickets"))
    assert len(entries) == 1
    details = json.loads(entries[0].details)
    assert details["ticket"] == 1
    assert details["data_key"] == 1
    assert details["officer_note"] == 1
    assert entries[0].actor == "system"
    assert entries[0].ticket_code is None
    assert "WBS-OLDD-0001" not in entries[0].details
    assert (await app.db.read(lambda s: audit.verify(session=s))).ok

    assert await scheduler.jobs.retention_round() == {}  # nothing more to do
    assert len(await app.db.read(lambda s: audit.entries(session=s,
                                                         action="retention.tickets"))) == 1


async def test_retention_prunes_finished_inbox_outbox_and_abandoned_drafts(
    app: App, clock: Clock, scheduler: Scheduler,
) -> None:
    ring = app.services.ring
    clock.set(2026, 12, 1, 2, 15)
    now = clock()
    week_ago = now - timedelta(days=8)

    async def receive(s: Any) -> list[inbox.Accepted]:
        return [await inbox.accept_update(session=s, ring=ring, channel="telegram",
                                          external_id=key, payload=b"{}", now=at)
                for key, at in (("1", week_ago), ("2", now), ("3", week_ago))]

    done, fresh, _kept = await app.db.write(receive)  # the third is never processed: kept

    async def seed(s: Any) -> None:
        await inbox.mark_processed(session=s, inbox_id=done.inbox_id, now=week_ago)
        await inbox.mark_processed(session=s, inbox_id=fresh.inbox_id, now=now)
        sent = await outbox.enqueue(session=s, ring=ring, channel="telegram", handle="1",
                                    purpose="reply", payload={}, now=week_ago)
        await outbox.mark_delivered(session=s, outbox_id=sent, now=week_ago)
        await outbox.enqueue(session=s, ring=ring, channel="telegram", handle="1",
                             purpose="reply", payload={}, now=week_ago)  # still pending: kept
        draft = ConversationState(digest="d" * 64, channel="telegram", lang="id",
                                  flow="complaint", step="chronology",
                                  draft={"chronology": "separuh cerita"},
                                  expires_at=now - timedelta(hours=1))
        await save_conversation(session=s, ring=ring, conv=draft, now=week_ago)
        for message_id, at in ((10, week_ago), (11, now)):  # ids of a chat's transcript
            await telegram_chats.record_messages(session=s, digest="c" * 64,
                                                 message_ids=[message_id], now=at)
    await app.db.transaction(seed)

    counts = await scheduler.jobs.retention_round()
    assert counts == {"inbox": 1, "outbox": 1, "drafts": 1, "telegram_messages": 1}
    assert await app.db.write(lambda s: telegram_chats.take_transcript(
        session=s, digest="c" * 64, now=now)) == [11]
    left = await app.db.read(lambda s: s.execute(select(func.count()).select_from(InboxItem)))
    assert left.scalar() == 2
    pending = await app.db.read(lambda s: s.execute(
        select(func.count()).select_from(OutboxItem).where(OutboxItem.delivered_at.is_(None))))
    assert pending.scalar() == 1
    actions = {e.action: json.loads(e.details)
               for e in await app.db.read(lambda s: audit.entries(session=s))}
    assert actions == {"retention.inbox": {"rows": 1}, "retention.outbox": {"rows": 1},
                       "retention.drafts": {"rows": 1}}
