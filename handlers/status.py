"""Coming back with a Kode Laporan and secret: see the status and replies, add information.

Wrong guesses are limited per ticket and per sender; an unknown code costs the same hash as
a known one, and both get the same answer."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.engine.context import Turn
from handlers.engine.flow import Flow, Outcome
from handlers.engine.steps import Attachments, Choice, Text
from handlers.engine.types import Outbound
from handlers.filing import add_reporter_message
from handlers.statuses import status_key
from storage import throttles, tickets
from storage.models import Ticket

CODE = re.compile(r"^WBS-?([2-9A-HJKMNP-TW-Z]{4})-?([2-9A-HJKMNP-TW-Z]{4})$")
SESSION_MINUTES = 30


def normalise_code(text: str) -> str | None:
    """"wbs 7k3m q9xd" -> "WBS-7K3M-Q9XD"; None if it cannot be a code."""
    compact = re.sub(r"[\s_]", "", text.upper())
    if not compact.startswith("WBS"):
        compact = "WBS" + compact
    m = CODE.match(compact.replace("WBS", "WBS-", 1).replace("--", "-"))
    return f"WBS-{m.group(1)}-{m.group(2)}" if m else None


def _code_error(text: str) -> str | None:
    return None if normalise_code(text) else "status.error.code_format"


def _session_valid(turn: Turn) -> bool:
    until = turn.context.get("until")
    return bool(turn.context.get("ticket_id") and until
                and datetime.fromisoformat(until) > turn.now)


async def status_view(turn: Turn, ticket_id: str) -> Outbound:
    """The status and the thread, as the reporter sees it (officers are "Petugas UPG")."""

    async def load(session: AsyncSession) -> tuple[Ticket | None, list[tickets.ThreadEntry]]:
        ticket = await tickets.get_ticket(session=session, ticket_id=ticket_id)
        if ticket is None:
            return None, []
        return ticket, await tickets.thread(session=session, ring=turn.ring, ticket=ticket)

    ticket, entries = await turn.read(load)
    if ticket is None:
        return Outbound(turn.t("status.gone"))
    local = turn.settings.office.tz
    lines = [turn.t("status.view", code=ticket.code, status=turn.t(status_key(ticket.status)),
                    date=turn.day(ticket.created_at.astimezone(local).date()))]
    if not entries:
        lines.append(turn.t("status.no_replies"))
    for entry in entries:
        author = ("status.author.officer" if entry.author == "officer" else
                  "status.author.you" if entry.author == "reporter" else "status.author.system")
        when = turn.day(entry.created_at.astimezone(local).date())
        lines.append(f"— {turn.t(author, team=turn.settings.office.team_name)} ({when}):\n{entry.text}")
    return Outbound("\n\n".join(lines))


async def check_receipt(turn: Turn) -> Outcome:
    """Verify code + secret; on success open a short session on that ticket."""
    settings, digest = turn.settings, turn.conv.digest
    code = normalise_code(turn.draft["code"]) or ""
    secret = turn.draft["secret"]

    async def load(session: AsyncSession) -> tuple[datetime | None, Ticket | None]:
        locked = await throttles.sender_locked_until(session=session, digest=digest, now=turn.now)
        return locked, await tickets.find_ticket(session=session, code=code)

    sender_lock, ticket = await turn.read(load)
    ok = await asyncio.to_thread(turn.services.hasher.verify,
                                 ticket.secret_hash if ticket else None, secret)
    ticket_lock = ticket.locked_until if ticket and ticket.locked_until else None
    locked_until = max((t for t in (sender_lock, ticket_lock) if t and t > turn.now), default=None)
    if locked_until is not None:
        minutes = max(1, int((locked_until - turn.now).total_seconds() // 60) + 1)
        return Outcome([Outbound(turn.t("status.error.locked", minutes=minutes))])
    if not ok or ticket is None:
        lock_until = turn.now + timedelta(minutes=settings.receipts.lock_minutes)
        ticket_id = ticket.id if ticket else None

        async def count(session: AsyncSession) -> None:
            await throttles.record_sender_failure(
                session=session, digest=digest, max_failures=settings.receipts.sender_max_failures,
                lock_until=lock_until, now=turn.now)
            if ticket_id:
                await tickets.record_wrong_secret(session=session, ticket_id=ticket_id,
                                                  max_failures=settings.receipts.max_failures,
                                                  lock_until=lock_until)

        turn.write(count)
        return Outcome([Outbound(turn.t("status.error.wrong"))], next_flow="status")
    ticket_id = ticket.id

    async def clear(session: AsyncSession) -> None:
        await throttles.clear_sender_failures(session=session, digest=digest)
        await tickets.clear_wrong_secrets(session=session, ticket_id=ticket_id)

    turn.write(clear)
    until = (turn.now + timedelta(minutes=SESSION_MINUTES)).isoformat()
    view = await status_view(turn, ticket_id)
    return Outcome([view], next_flow="ticket", context={"ticket_id": ticket_id, "until": until})


async def ticket_action(turn: Turn) -> Outcome:
    """After unlocking a ticket: add information, refresh, or finish."""
    if not _session_valid(turn):
        return Outcome([Outbound(turn.t("status.session_over"))])
    action, context = turn.draft["action"], turn.context.copy()
    if action == "add":
        return Outcome([], next_flow="followup", context=context)
    if action == "refresh":
        return Outcome([await status_view(turn, context["ticket_id"])], next_flow="ticket",
                       context=context)
    return Outcome([Outbound(turn.t("status.bye"))])


async def add_information(turn: Turn) -> Outcome:
    """Append the reporter's text and files to the ticket thread; the team is notified."""
    if not _session_valid(turn):
        return Outcome([Outbound(turn.t("status.session_over"))])
    add_reporter_message(turn, ticket_id=turn.context["ticket_id"], text=turn.draft["info"])
    return Outcome([Outbound(turn.t("status.info_added"))], next_flow="ticket",
                   context=turn.context.copy())


STATUS = Flow(
    "status",
    steps=[
        Text("code", ask="status.ask.code", min_len=4, max_len=40, validate=_code_error,
             leak_check=False),
        Text("secret", ask="status.ask.secret", min_len=8, max_len=64, sensitive=True,
             leak_check=False),
    ],
    on_submit=check_receipt,
    menu=("menu.status", 20),
    keywords=("cek", "check", "status"),
)

TICKET = Flow(
    "ticket",
    steps=[Choice("action", ask="status.ask.action", choices=("add", "refresh", "done"),
                  labels="status.action")],
    on_submit=ticket_action,
)

FOLLOWUP = Flow(
    "followup",
    steps=[
        Text("info", ask="status.ask.info", min_len=1, max_len=4000),
        Attachments("files", ask="status.ask.files"),
    ],
    on_submit=add_information,
)
