"""Coming back with a Kode Laporan and secret: see the status and replies, add information.

Wrong guesses slow down the sender that makes them (backoff) and, past a few on one code, every
sender that guesses wrong on it; the right secret is never refused because of someone else's
guesses. An unknown code costs the same keyed hash as a known one, and both get the same answers."""

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
from handlers.reporter_notices import desk_name
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
    """The status and the thread, as the reporter sees it (officers are "Petugas" + the desk)."""

    async def load(session: AsyncSession) -> tuple[Ticket | None, list[tickets.ThreadEntry]]:
        ticket = await tickets.get_ticket(session=session, ticket_id=ticket_id)
        if ticket is None:
            return None, []
        return ticket, await tickets.thread(session=session, ring=turn.ring, ticket=ticket)

    ticket, entries = await turn.read(load)
    if ticket is None:
        return Outbound(turn.t("status.gone"))
    local = turn.settings.office.tz
    team = desk_name(turn.settings, escalated=ticket.conflict_of_interest)
    lines = [turn.t("status.view", code=ticket.code, status=turn.t(status_key(ticket.status)),
                    date=turn.day(ticket.created_at.astimezone(local).date()))]
    if not entries:
        lines.append(turn.t("status.no_replies"))
    for entry in entries:
        author = ("status.author.officer" if entry.author == "officer" else
                  "status.author.you" if entry.author == "reporter" else "status.author.system")
        when = turn.day(entry.created_at.astimezone(local).date())
        lines.append(f"— {turn.t(author, team=team)} ({when}):\n{entry.text}")
    return Outbound("\n\n".join(lines))


def _minutes(wait: timedelta) -> int:
    """Whole minutes, rounded up, at least one."""
    return max(1, -(-int(wait.total_seconds()) // 60))


def _sender_wait(turn: Turn, failures: int, *, code_guarded: bool) -> timedelta | None:
    """Per-sender backoff: the first WBS_SENDER_MAX_FAILURES wrong guesses are free, each later
    one doubles the wait (1, 2, 4 … minutes) up to WBS_RECEIPT_LOCK_MINUTES. A guarded code
    gives no free guesses: a wrong guess on it makes the sender wait at least a minute."""
    receipts = turn.settings.receipts
    beyond = failures - receipts.sender_max_failures
    if code_guarded:
        beyond = max(beyond, 1)
    if beyond <= 0:
        return None
    return min(timedelta(minutes=receipts.lock_minutes), timedelta(minutes=2 ** min(beyond - 1, 30)))


async def check_receipt(turn: Turn) -> Outcome:
    """Verify code + secret; on success open a short session on that ticket.

    Known and unknown codes take the same path (one look-up, one HMAC, the same counters under
    the code's digest) and get the same answers. The right secret always opens its ticket, unless
    the sender itself is waiting out its own wrong guesses: others' guesses cannot lock the
    reporter out. A code with WBS_RECEIPT_MAX_FAILURES recent wrong guesses is guarded: a wrong
    guess on it makes the sender wait at once (see `_sender_wait`)."""
    digest, code = turn.conv.digest, normalise_code(turn.draft["code"]) or ""
    code_key = throttles.code_digest(turn.ring, code)

    async def load(session: AsyncSession) -> tuple[throttles.Standing, throttles.Standing,
                                                   Ticket | None]:
        return (await throttles.standing(session=session, digest=digest, now=turn.now),
                await throttles.standing(session=session, digest=code_key, now=turn.now),
                await tickets.find_ticket(session=session, code=code))

    sender, on_code, ticket = await turn.read(load)
    check = await asyncio.to_thread(turn.services.hasher.verify,
                                    ticket.secret_hash if ticket else None, turn.draft["secret"],
                                    code=code)
    if sender.wait_until is not None:
        minutes = _minutes(sender.wait_until - turn.now)
        return Outcome([Outbound(turn.t("status.error.locked", minutes=minutes))])
    if not check.ok or ticket is None:
        return _wrong_secret(turn, sender, code_key, code_guarded=on_code.wait_until is not None)
    ticket_id, old, rehashed = ticket.id, ticket.secret_hash, check.rehashed
    if rehashed is not None:  # legacy Argon2id or an older key: store the keyed form now

        async def upgrade(session: AsyncSession) -> None:
            await tickets.replace_secret_hash(session=session, ticket_id=ticket_id, old=old,
                                              new=rehashed)

        turn.write(upgrade)
    until = (turn.now + timedelta(minutes=SESSION_MINUTES)).isoformat()
    view = await status_view(turn, ticket_id)
    return Outcome([view], next_flow="ticket", context={"ticket_id": ticket_id, "until": until})


def _wrong_secret(turn: Turn, sender: throttles.Standing, code_key: str, *,
                  code_guarded: bool) -> Outcome:
    """Count the wrong guess for the sender and for the code; ask again, or, when the sender
    must now wait, say for how long."""
    receipts, digest, now = turn.settings.receipts, turn.conv.digest, turn.now
    # A sender's turns run one at a time (the conversation lock), so its count is exact here.
    wait = _sender_wait(turn, sender.failures + 1, code_guarded=code_guarded)

    async def count(session: AsyncSession) -> None:
        await throttles.record_failure(session=session, digest=digest, now=now)
        if wait is not None:
            await throttles.wait_until(session=session, digest=digest, until=now + wait)
        if await throttles.record_failure(session=session, digest=code_key, now=now) \
                >= receipts.max_failures:
            await throttles.wait_until(session=session, digest=code_key,
                                       until=now + timedelta(minutes=receipts.lock_minutes))

    turn.write(count)
    if wait is None:
        return Outcome([Outbound(turn.t("status.error.wrong"))], next_flow="status")
    return Outcome([Outbound(turn.t("status.error.wrong_wait", minutes=_minutes(wait)))])


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
