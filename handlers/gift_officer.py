"""The UPG's side of a gift report: `/ekspor` (PDF, JSON, CSV for KPK, audit-logged) and the
10-working-day forwarding clock, with the day the ticket was set to "Diteruskan ke KPK"."""

from __future__ import annotations

import json
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.engine.types import Attachment, Outbound
from handlers.gift_clock import describe_forward_deadline, load_calendar
from handlers.gift_export import NotAGiftReport, prepare_export
from handlers.officer_desk import Desk, DeskResult, OfficerAction, actor
from handlers.statuses import Status
from handlers.workdays import WorkCalendar
from storage import audit
from storage.models import Ticket

STATUS_ACTION = "ticket_status"  # what handlers/officer_ticket.py records on a status change
FORM_FILES = 3  # the PDF, JSON and CSV; the report's own photos come with /lihat


async def forwarded_to_kpk_on(*, session: AsyncSession, ticket_code: str, tz: ZoneInfo) -> date | None:
    """The local day the ticket was last set to "Diteruskan ke KPK" (from the audit log)."""
    for entry in await audit.entries(session=session, ticket_code=ticket_code, action=STATUS_ACTION,
                                     limit=50):
        if json.loads(entry.details).get("to") == Status.FORWARDED_KPK.value:
            return entry.at.astimezone(tz).date()
    return None


async def forwarding_line(desk: Desk, ticket: Ticket) -> str:
    """"Teruskan ke KPK paling lambat ..." or "Diteruskan ke KPK pada ..." for a gift ticket."""
    settings = desk.services.settings
    tz = settings.office.tz

    async def read(s: AsyncSession) -> tuple[WorkCalendar, date | None]:
        return (await load_calendar(session=s, settings=settings),
                await forwarded_to_kpk_on(session=s, ticket_code=ticket.code, tz=tz))

    calendar, forwarded = await desk.services.db.read(read)
    return describe_forward_deadline(ticket.created_at.astimezone(tz).date(),
                                     desk.now.astimezone(tz).date(), desk.lang,
                                     calendar=calendar, forwarded_on=forwarded)


async def export(desk: Desk, action: OfficerAction) -> DeskResult:
    """/ekspor [kode]: the gift report as KPK's form (PDF) plus JSON and CSV, audit-logged."""
    ticket, _ = await desk.ticket(action)
    if ticket is None:
        return desk.say("officer.error.no_ticket")
    if ticket.kind != "gift":
        return desk.say("gift.officer.not_gift", ticket.id, code=ticket.code)
    settings = desk.services.settings
    try:
        _doc, files = await prepare_export(db=desk.services.db, ring=desk.services.ring,
                                           settings=settings, tz=settings.office.tz, code=ticket.code,
                                           actor=actor(action.officer), now=desk.now,
                                           lang=desk.lang)
    except NotAGiftReport:
        return desk.say("officer.error.no_ticket")
    text = desk.t("gift.officer.exported", code=ticket.code) + "\n" + await forwarding_line(desk, ticket)
    attached = tuple(Attachment(f.name, f.content_type, f.data) for f in files[:FORM_FILES])
    return DeskResult([Outbound(text, attachments=attached)], ticket.id)
