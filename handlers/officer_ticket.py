"""Officer commands on one ticket: open it (`/lihat`), change its status (`/status`,
`/tutup`, `/buka`). Reporter-visible statuses queue a canned message for the reporter."""

from __future__ import annotations

from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.engine.types import Attachment, Option, Outbound
from handlers.officer_desk import Desk, DeskResult, OfficerAction, actor
from handlers.officer_views import ticket_view
from handlers.reporter_notices import (
    ACK_NOTICE,
    STATUS_NOTICE,
    desk_name,
    notify_reporter,
    reporter_sees,
    status_message_key,
)
from handlers.statuses import CLOSED, Status, next_statuses, status_key
from storage import audit, officers, tickets
from storage.models import Ticket

MAX_REASON = 500
STATUS_BUTTON = "st"  # callback data "st:<code>:<status>" (at most 44 bytes)
# what officers may type after /status
ALIASES = {
    "terima": Status.RECEIVED, "verifikasi": Status.VERIFYING, "lengkapi": Status.NEEDS_INFO,
    "tindaklanjut": Status.IN_PROGRESS, "upg": Status.FORWARDED_UPG, "kpk": Status.FORWARDED_KPK,
    "inspektorat": Status.FORWARDED_INSPEKTORAT, "apip": Status.FORWARDED_APIP,
    "selesai": Status.DONE, "tolak": Status.REJECTED,
}


def parse_status(word: str) -> Status | None:
    """A status from its stored value or a short alias ("kpk", "tolak")."""
    word = word.strip().lower()
    if word in ALIASES:
        return ALIASES[word]
    try:
        return Status(word)
    except ValueError:
        return None


async def view(desk: Desk, action: OfficerAction) -> DeskResult:
    """/lihat: the report, its thread, files and notes; recorded in the audit log. The first
    time any officer opens a ticket, the reporter gets an acknowledgement."""
    ticket, _ = await desk.ticket(action)
    if ticket is None:
        return desk.say("officer.error.no_ticket")
    svc, officer, now = desk.services, action.officer, desk.now

    async def write(s: AsyncSession) -> tuple[str, list[tickets.StoredFile]]:
        # lock order (storage/audit.py): the ticket row, its rows and outbox, the audit head last
        fresh = await tickets.lock_ticket(session=s, ticket_id=ticket.id)
        assert fresh is not None
        if await officers.acknowledge(session=s, ticket_id=fresh.id, now=now):
            await notify_reporter(session=s, ring=svc.ring, ticket=fresh, purpose=ACK_NOTICE,
                                  key="officer.reporter.ack", now=now, default_lang=desk.lang,
                                  team=desk_name(svc.settings, escalated=fresh.conflict_of_interest))
        content = await tickets.read_content(session=s, ring=svc.ring, ticket=fresh)
        entries = await tickets.thread(session=s, ring=svc.ring, ticket=fresh)
        files = await tickets.attachments(session=s, ring=svc.ring, ticket=fresh)
        notes = await officers.notes(session=s, ring=svc.ring, ticket=fresh)
        await audit.record(session=s, actor=actor(officer), action="ticket_view",
                           ticket_code=fresh.code, now=now,
                           details={"files": len(files), "messages": len(entries)})
        text = ticket_view(desk.lang, fresh, content, entries=entries, files=files, notes=notes,
                           settings=svc.settings)
        return text, files

    text, files = await svc.db.write(write)
    svc.poke_outbox()
    attached = tuple(Attachment(f.name, f.content_type, f.data) for f in files)
    return DeskResult([Outbound(text, attachments=attached)], ticket.id)


def status_buttons(desk: Desk, ticket: Ticket) -> DeskResult:
    """The status choices as buttons: only where the ticket can go from its status."""
    options = tuple(Option(f"{STATUS_BUTTON}:{ticket.code}:{s.value}", desk.t(status_key(s)))
                    for s in next_statuses(ticket.status))
    text = desk.t("officer.status.choose", code=ticket.code,
                  status=desk.t(status_key(ticket.status)))
    return DeskResult([Outbound(text, options=options)], ticket.id)


async def change_status(desk: Desk, action: OfficerAction) -> DeskResult:
    """/status [status [alasan]]: without arguments, buttons; else set it."""
    ticket, args = await desk.ticket(action)
    if ticket is None:
        return desk.say("officer.error.no_ticket")
    if not args:
        return status_buttons(desk, ticket)
    word, _, reason = args.partition(" ")
    status = parse_status(word)
    if status is None:
        return desk.say("officer.status.unknown", ticket.id)
    return await set_status(desk, action, ticket, status, reason.strip())


async def close(desk: Desk, action: OfficerAction) -> DeskResult:
    """/tutup [alasan]: done; with a reason, "tidak dapat ditindaklanjuti"."""
    ticket, reason = await desk.ticket(action)
    if ticket is None:
        return desk.say("officer.error.no_ticket")
    status = Status.REJECTED if reason else Status.DONE
    return await set_status(desk, action, ticket, status, reason)


async def reopen(desk: Desk, action: OfficerAction) -> DeskResult:
    """/buka: a closed ticket is worked again ("ditindaklanjuti")."""
    ticket, _ = await desk.ticket(action)
    if ticket is None:
        return desk.say("officer.error.no_ticket")
    if ticket.status not in CLOSED:
        return desk.say("officer.status.not_closed", ticket.id)
    return await set_status(desk, action, ticket, Status.IN_PROGRESS, "")


async def set_status(desk: Desk, action: OfficerAction, ticket: Ticket, status: Status,
                     reason: str) -> DeskResult:
    """Change the status, tell the reporter when they see this status, and audit it."""
    if status is Status.REJECTED and not reason:
        return desk.say("officer.status.need_reason", ticket.id)
    if len(reason) > MAX_REASON:
        return desk.say("officer.error.too_long", ticket.id, max=MAX_REASON)
    if status.value == ticket.status:
        return desk.say("officer.status.same", ticket.id, status=desk.t(status_key(status)))
    svc, officer, now = desk.services, action.officer, desk.now
    tell = reporter_sees(status, svc.settings.officers.quiet_statuses)

    async def write(s: AsyncSession) -> str | None:
        # lock order (storage/audit.py): the ticket row, its rows and outbox, the audit head last
        fresh = await tickets.lock_ticket(session=s, ticket_id=ticket.id)
        if fresh is None or fresh.status == status.value:
            return None  # another officer set it a moment ago: the reporter is told once
        old = fresh.status
        await officers.set_status(session=s, ticket_id=fresh.id, status=status.value,
                                  closed=status in CLOSED, now=now)
        if reason and tell:  # the reason is part of the answer the reporter can read later
            await tickets.add_message(session=s, ring=svc.ring, ticket=fresh, author="officer",
                                      text=reason, now=now, officer_id=officer.id)
        if tell:
            await notify_reporter(session=s, ring=svc.ring, ticket=fresh, purpose=STATUS_NOTICE,
                                  key=status_message_key(status), now=now, default_lang=desk.lang,
                                  team=desk_name(svc.settings, escalated=fresh.conflict_of_interest),
                                  status=status.value, reason=reason)
        await audit.record(session=s, actor=actor(officer), action="ticket_status",
                           ticket_code=fresh.code, now=now,
                           details={"from": old, "to": status.value, "reporter_told": tell})
        return old

    old = await svc.db.write(write)
    if old is None:
        return desk.say("officer.status.same", ticket.id, status=desk.t(status_key(status)))
    svc.poke_outbox()
    key = "officer.status.changed" if tell else "officer.status.changed_quiet"
    topic: Literal["close", "reopen"] | None = ("close" if status in CLOSED else
             "reopen" if Status(old) in CLOSED else None)
    result = desk.say(key, ticket.id, code=ticket.code, status=desk.t(status_key(status)),
                      name=officer.name)
    result.topic = topic
    return result
