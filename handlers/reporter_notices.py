"""Messages from the team to a reporter: officer replies, status notices, acknowledgements.

They go into the outbox on the reporter's own route (channel + handle, decrypted from the
ticket) with one of the purposes below; the payload carries the text already rendered in the
reporter's language, so each channel's deliverer only has to send it (WhatsApp falls back to a
content-free template outside its 24-hour window). They are signed by the desk that handles
the ticket (`desk_name`: the team, or the escalation desk for a conflict-of-interest report,
which must never read as coming from the team it is about), never by an officer's name.
Terminal (console) reporters cannot be pushed to: they read replies with the status check, so
their rows are marked delivered at once and the thread keeps the message.

Payload: {"text", "lang", "ticket_id", "code", "copy": [[chat_id, message_id], ...],
"copy_caption"} where `copy` lists Telegram messages in the officers' chat whose files the
Telegram deliverer copies (copyMessage, never forwardMessage) after the text, captioned
`copy_caption` instead of the officer's own caption.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from handlers import i18n
from handlers.settings import DomainSettings
from handlers.statuses import REPORTER_SEES, Status, status_key
from storage import outbox, tickets
from storage.crypto import Keyring, handle_digest
from storage.models import Conversation, Ticket

OFFICER_REPLY = "ticket:officer_reply"
STATUS_NOTICE = "ticket:status"
ACK_NOTICE = "ticket:ack"
REPORTER_PURPOSES = (OFFICER_REPLY, STATUS_NOTICE, ACK_NOTICE)
UNREACHABLE = frozenset({"console"})  # channels we cannot push to


def desk_name(settings: DomainSettings, *, escalated: bool) -> str:
    """The name of the desk that handles a ticket, as its reporter reads it: the escalation
    desk (WBS_ESCALATION_DESK_NAME) for a conflict-of-interest ticket, else the team."""
    return settings.officers.escalation_desk_name if escalated else settings.office.team_name


def status_message_key(status: Status) -> str:
    """The canned message a reporter gets when the ticket enters `status`."""
    match status:
        case Status.RECEIVED | Status.VERIFYING | Status.IN_PROGRESS:
            return "officer.reporter.status.progress"
        case Status.NEEDS_INFO:
            return "officer.reporter.status.needs_info"
        case (Status.FORWARDED_UPG | Status.FORWARDED_KPK | Status.FORWARDED_INSPEKTORAT
              | Status.FORWARDED_APIP):
            return "officer.reporter.status.forwarded"
        case Status.DONE:
            return "officer.reporter.status.done"
        case Status.REJECTED:
            return "officer.reporter.status.rejected"
    raise ValueError(f"no reporter message for status {status!r}")


def reporter_sees(status: Status, quiet: Sequence[str] = ()) -> bool:
    """Whether the reporter is told about this status (flag per status, plus the office's
    WBS_QUIET_STATUSES)."""
    return REPORTER_SEES[status] and status.value not in quiet


async def reporter_lang(*, session: AsyncSession, ring: Keyring, route: dict[str, str],
                        default: str) -> str:
    """The language the reporter chose in their conversation, else the office default."""
    digest = handle_digest(ring, route["channel"], route["handle"])
    conv = await session.get(Conversation, digest)
    return conv.lang if conv is not None and conv.lang in i18n.LANGUAGES else default


async def notify_reporter(
    *, session: AsyncSession, ring: Keyring, ticket: Ticket, purpose: str, key: str, now: datetime,
    default_lang: str, team: str, copy: Sequence[tuple[int, int]] = (), **params: str,
) -> str | None:
    """Queue message `key` for the reporter of `ticket`; returns the outbox id (None when the
    ticket keeps no route). Console reporters' rows are marked delivered at once."""
    route = await tickets.read_route(session=session, ring=ring, ticket=ticket)
    if route is None:
        return None
    lang = await reporter_lang(session=session, ring=ring, route=route, default=default_lang)
    if "status" in params:
        params["status"] = i18n.t(lang, status_key(params["status"]))
    text = i18n.t(lang, key, team=team, code=ticket.code, **params)
    payload: dict[str, Any] = {"text": text, "lang": lang, "ticket_id": ticket.id, "code": ticket.code,
               "copy": [list(ref) for ref in copy]}
    if copy:
        payload["copy_caption"] = i18n.t(lang, "officer.reporter.file_caption", team=team)
    outbox_id = await outbox.enqueue(session=session, ring=ring, channel=route["channel"],
                                     handle=route["handle"], purpose=purpose, payload=payload,
                                     now=now, ticket_id=ticket.id)
    if route["channel"] in UNREACHABLE:
        await outbox.mark_delivered(session=session, outbox_id=outbox_id, now=now)
    return outbox_id

