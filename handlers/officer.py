"""Officer commands, channel-neutral: one name -> function table (`COMMANDS`).

The channel adapter (bot/channels/telegram/officers/receive.py) checks the sender is an allow-listed
officer, works out which ticket a message is about (its forum topic, or the bot message it
replies to) and hands an `OfficerAction` to `handle`. Every view, reply, status change,
assignment and officer change writes an audit entry in the same transaction, taking its locks
in the order of storage/audit.py (the ticket row first, the audit head last); an action that
loses a race with another worker anyway is run again whole, so it is never lost.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from handlers import gift_officer, officer_ticket
from handlers.engine.context import Services
from handlers.engine.types import Outbound
from handlers.officer_admin import manage_officers
from handlers.officer_desk import Desk, DeskResult, OfficerAction, actor
from handlers.officer_views import ticket_line
from handlers.races import rerun_lost_races
from handlers.reporter_notices import OFFICER_REPLY, desk_name, notify_reporter
from handlers.status import normalise_code
from storage import audit, officers, tickets
from storage.models import Ticket

MAX_REPLY = 4000
MAX_NOTE = 4000


Command = Callable[[Desk, OfficerAction], Awaitable[DeskResult]]


async def handle(services: Services, action: OfficerAction) -> DeskResult:
    """Run one officer action: a known command, a reply to relay, or one polite error; again
    from the start when it lost a race with another worker (each command writes once, last)."""
    return await rerun_lost_races(lambda: _run(services, action), what="officer action")


async def _run(services: Services, action: OfficerAction) -> DeskResult:
    desk = Desk(services, services.clock())
    if action.command is None:
        return await relay_reply(desk, action)
    command = COMMANDS.get(action.command.lower())
    if command is None:
        return desk.say("officer.error.unknown_command")
    return await command(desk, action)


async def relay_reply(desk: Desk, action: OfficerAction) -> DeskResult:
    """Send what the officer wrote in a ticket's topic to the reporter as the team."""
    ticket, text = await desk.ticket(action)
    if ticket is None:
        return DeskResult()  # chatter outside a ticket topic is not for the bot
    if len(text) > MAX_REPLY:
        return desk.say("officer.error.too_long", ticket.id, max=MAX_REPLY)
    svc, officer = desk.services, action.officer
    body = text or desk.t("officer.reply.files_only", count=len(action.copy))

    async def write(s: AsyncSession) -> None:
        fresh = await tickets.lock_ticket(session=s, ticket_id=ticket.id)
        assert fresh is not None
        message = await tickets.add_message(session=s, ring=svc.ring, ticket=fresh,
                                            author="officer", text=body, now=desk.now,
                                            officer_id=officer.id)
        await notify_reporter(session=s, ring=svc.ring, ticket=fresh, purpose=OFFICER_REPLY,
                              key="officer.reporter.reply", now=desk.now, copy=action.copy,
                              default_lang=desk.lang, text=body,
                              team=desk_name(svc.settings, escalated=fresh.conflict_of_interest))
        await audit.record(session=s, actor=actor(officer), action="ticket_reply",
                           ticket_code=fresh.code, now=desk.now,
                           details={"message_id": message.id, "files": len(action.copy)})

    await svc.db.write(write)
    svc.poke_outbox()
    key = "officer.reply.console" if ticket.channel == "console" else "officer.reply.queued"
    return desk.say(key, ticket.id, team=desk_name(svc.settings, escalated=ticket.conflict_of_interest))


async def note(desk: Desk, action: OfficerAction) -> DeskResult:
    """/catatan <teks>: an internal note; never sent to the reporter."""
    ticket, text = await desk.ticket(action)
    if ticket is None:
        return desk.say("officer.error.no_ticket")
    if not text:
        return desk.say("officer.note.usage", ticket.id)
    if len(text) > MAX_NOTE:
        return desk.say("officer.error.too_long", ticket.id, max=MAX_NOTE)
    svc, officer = desk.services, action.officer

    async def write(s: AsyncSession) -> None:
        await tickets.lock_ticket(session=s, ticket_id=ticket.id)  # lock order: storage/audit.py
        saved = await officers.add_note(session=s, ring=svc.ring, ticket=ticket,
                                        officer_id=officer.id, text=text, now=desk.now)
        await audit.record(session=s, actor=actor(officer), action="ticket_note",
                           ticket_code=ticket.code, details={"note_id": saved.id}, now=desk.now)

    await svc.db.write(write)
    return desk.say("officer.note.saved", ticket.id)


async def assign(desk: Desk, action: OfficerAction) -> DeskResult:
    """/tugaskan @petugas: make one officer responsible for the ticket."""
    ticket, ref = await desk.ticket(action)
    if ticket is None:
        return desk.say("officer.error.no_ticket")
    if not ref:
        return desk.say("officer.assign.usage", ticket.id)
    svc = desk.services
    target = await svc.db.read(lambda s: officers.find_officer(session=s, ref=ref))
    if target is None:
        return desk.say("officer.assign.unknown", ticket.id)

    async def write(s: AsyncSession) -> None:
        await tickets.lock_ticket(session=s, ticket_id=ticket.id)  # lock order: storage/audit.py
        await officers.assign(session=s, ticket_id=ticket.id, officer_id=target.id)
        await audit.record(session=s, actor=actor(action.officer), action="ticket_assign",
                           ticket_code=ticket.code, details={"officer_id": target.id},
                           now=desk.now)

    await svc.db.write(write)
    return desk.say("officer.assign.done", ticket.id, name=target.name or ref)


async def search(desk: Desk, action: OfficerAction) -> DeskResult:
    """/cari <kode|kategori>: find tickets of this desk by code or category."""
    term = action.args.strip()
    if not term:
        return desk.say("officer.search.usage")
    code = normalise_code(term)
    category = None if code else term.lower()
    limit = desk.services.settings.officers.max_results
    found = await desk.services.db.read(lambda s: officers.search_tickets(
        session=s, conflict_of_interest=action.place == "escalation", code=code,
        category=category, limit=limit))
    return _listing(desk, found, "officer.search.none")


async def open_tickets(desk: Desk, action: OfficerAction) -> DeskResult:
    """/tiket: the open tickets of this desk, oldest first."""
    limit = desk.services.settings.officers.max_results
    found = await desk.services.db.read(lambda s: officers.search_tickets(
        session=s, conflict_of_interest=action.place == "escalation", open_only=True,
        limit=limit))
    return _listing(desk, found, "officer.list.none")


def _listing(desk: Desk, found: list[Ticket], empty_key: str) -> DeskResult:
    if not found:
        return desk.say(empty_key)
    lines = [ticket_line(desk.lang, t, desk.now) for t in found]
    return DeskResult([Outbound(desk.t("officer.list.title", count=len(found)) + "\n"
                                + "\n".join(lines))])


async def help_text(desk: Desk, action: OfficerAction) -> DeskResult:
    """/bantuan: what officers can do."""
    return desk.say("officer.help")


COMMANDS: dict[str, Command] = {
    "lihat": officer_ticket.view,
    "status": officer_ticket.change_status,
    "tutup": officer_ticket.close,
    "buka": officer_ticket.reopen,
    "catatan": note,
    "tugaskan": assign,
    "cari": search,
    "tiket": open_tickets,
    "petugas": manage_officers,
    "bantuan": help_text,
    "ekspor": gift_officer.export,  # gift reports: the KPK form (handlers/gift_officer.py)
}
