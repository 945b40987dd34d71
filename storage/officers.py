"""The officer allow-list and the ticket desk (topic, message map, assignment).
Functions take a session and never commit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.crypto import Keyring, seal, unseal
from storage.db import affected_rows
from storage.models import (
    DeliveryAlert,
    DeskMessage,
    DeskTopic,
    Officer,
    OfficerNote,
    OutboxItem,
    Ticket,
    TicketDesk,
)
from storage.models.officer import NOTE_BODY, ROLES
from storage.tickets import ticket_key
from storage.upsert import insert_ignore


async def add_officer(
    *, session: AsyncSession, telegram_user_id: int, role: str, name: str, now: datetime,
    username: str | None = None,
) -> Officer:
    """Allow-list a Telegram user (or re-activate and update one removed earlier)."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}")
    officer = await officer_by_telegram_id(session=session, telegram_user_id=telegram_user_id,
                                           active_only=False)
    if officer is None:
        officer = Officer(telegram_user_id=telegram_user_id, added_at=now)
        session.add(officer)
    officer.role, officer.name, officer.active, officer.removed_at = role, name[:80], True, None
    if username:
        officer.username = username.lstrip("@")[:64]
    await session.flush()
    return officer


async def remove_officer(*, session: AsyncSession, telegram_user_id: int,
                         now: datetime) -> Officer | None:
    """Take a user off the allow-list (kept for the audit trail); None if not listed."""
    officer = await officer_by_telegram_id(session=session, telegram_user_id=telegram_user_id)
    if officer is None:
        return None
    officer.active, officer.removed_at = False, now
    await session.flush()
    return officer


async def list_officers(*, session: AsyncSession) -> list[Officer]:
    """Active officers, admins first."""
    rows = (await session.execute(select(Officer).where(col(Officer.active).is_(True))
                                  .order_by(col(Officer.role), col(Officer.added_at)))).scalars()
    return sorted(rows, key=lambda o: (o.role != "admin", o.added_at))


async def officer_by_telegram_id(
    *, session: AsyncSession, telegram_user_id: int, active_only: bool = True,
) -> Officer | None:
    """The officer with this Telegram user id (active ones only unless told otherwise)."""
    query = select(Officer).where(col(Officer.telegram_user_id) == telegram_user_id)
    if active_only:
        query = query.where(col(Officer.active).is_(True))
    return (await session.execute(query)).scalar_one_or_none()


async def find_officer(*, session: AsyncSession, ref: str) -> Officer | None:
    """An active officer by "@username", Telegram user id or exact name."""
    ref = ref.strip()
    if ref.lstrip("-").isdigit():
        return await officer_by_telegram_id(session=session, telegram_user_id=int(ref))
    active = select(Officer).where(col(Officer.active).is_(True))
    if ref.startswith("@"):
        query = active.where(col(Officer.username) == ref[1:])
    else:
        query = active.where(col(Officer.name) == ref)
    return (await session.execute(query.limit(1))).scalar_one_or_none()


async def remember_username(*, session: AsyncSession, officer_id: str, username: str | None) -> None:
    """Keep the officer's current @username so `/tugaskan @name` finds them."""
    await session.execute(update(Officer).where(col(Officer.id) == officer_id)
                          .values(username=(username or None) and username[:64]))


# -- the desk: where each ticket lives in the officers' chat ----------------------------------
async def desk(*, session: AsyncSession, ticket_id: str) -> TicketDesk | None:
    """The ticket's place in the officers' chat, if it has one yet."""
    return await session.get(TicketDesk, ticket_id)


async def place_ticket(
    *, session: AsyncSession, ticket_id: str, chat_id: int, thread_id: int | None,
    header_message_id: int | None, now: datetime,
) -> TicketDesk:
    """Record where the ticket is worked, in one go (imports, tests; the bot claims first)."""
    row = await session.get(TicketDesk, ticket_id)
    if row is None:
        row = TicketDesk(ticket_id=ticket_id, chat_id=chat_id, created_at=now)
        session.add(row)
    row.chat_id, row.thread_id, row.header_message_id = chat_id, thread_id, header_message_id
    await session.flush()
    if thread_id is not None:
        await insert_ignore(session, DeskTopic, {"chat_id": chat_id, "thread_id": thread_id,
                                                 "ticket_id": ticket_id, "created_at": now})
    return row


async def claim_desk(*, session: AsyncSession, ticket_id: str, chat_id: int,
                     now: datetime) -> bool:
    """Claim the right to open the ticket's place: insert its desk row (no topic, no header
    yet, `created_at` the claim time) unless one exists; True if this call inserted it."""
    return await insert_ignore(session, TicketDesk, {
        "ticket_id": ticket_id, "chat_id": chat_id, "thread_id": None,
        "header_message_id": None, "created_at": now})


async def reclaim_desk(*, session: AsyncSession, ticket_id: str, chat_id: int,
                       gone_thread_id: int | None, claimed_before: datetime | None,
                       now: datetime) -> bool:
    """Claim the place again: after its topic `gone_thread_id` was deleted, or (with
    `claimed_before`) when whoever claimed it left it unfinished since before then.
    A compare-and-set: of several workers trying at once, exactly one gets True."""
    query = update(TicketDesk).where(col(TicketDesk.ticket_id) == ticket_id)
    if gone_thread_id is not None:
        query = query.where(col(TicketDesk.thread_id) == gone_thread_id).values(thread_id=None)
    if claimed_before is not None:
        query = query.where(col(TicketDesk.header_message_id).is_(None),
                            col(TicketDesk.created_at) < claimed_before)
    result = await session.execute(query.values(chat_id=chat_id, header_message_id=None,
                                                created_at=now))
    return affected_rows(result) == 1


async def place_topic(*, session: AsyncSession, ticket_id: str, chat_id: int, thread_id: int,
                      now: datetime) -> None:
    """The ticket's (new) forum topic: current in its desk row, and kept for good in
    `desk_topic` so messages in any topic the ticket ever had still reach it."""
    await insert_ignore(session, DeskTopic, {"chat_id": chat_id, "thread_id": thread_id,
                                             "ticket_id": ticket_id, "created_at": now})
    await session.execute(update(TicketDesk).where(col(TicketDesk.ticket_id) == ticket_id)
                          .values(chat_id=chat_id, thread_id=thread_id))


async def place_header(*, session: AsyncSession, ticket_id: str, header_message_id: int) -> None:
    """The ticket's header was posted: its place is complete."""
    await session.execute(update(TicketDesk).where(col(TicketDesk.ticket_id) == ticket_id)
                          .values(header_message_id=header_message_id))


async def ticket_for_thread(*, session: AsyncSession, chat_id: int, thread_id: int) -> str | None:
    """The ticket whose topic this is or ever was."""
    found = await session.get(DeskTopic, (chat_id, thread_id))
    if found is not None:
        return found.ticket_id
    return (await session.execute(select(col(TicketDesk.ticket_id)).where(  # rows before 0002
        col(TicketDesk.chat_id) == chat_id, col(TicketDesk.thread_id) == thread_id))).scalar_one_or_none()


async def map_messages(*, session: AsyncSession, chat_id: int, message_ids: list[int],
                       ticket_id: str, now: datetime) -> None:
    """Remember that these messages in the officers' chat belong to the ticket."""
    for message_id in message_ids:
        if await session.get(DeskMessage, (chat_id, message_id)) is None:
            session.add(DeskMessage(chat_id=chat_id, message_id=message_id, ticket_id=ticket_id,
                                    created_at=now))
    await session.flush()


async def ticket_for_message(*, session: AsyncSession, chat_id: int, message_id: int) -> str | None:
    """The ticket a message in the officers' chat belongs to (for replies to it)."""
    row = await session.get(DeskMessage, (chat_id, message_id))
    return row.ticket_id if row else None


async def assign(*, session: AsyncSession, ticket_id: str, officer_id: str | None) -> None:
    """Assign the ticket to an officer (None: unassign)."""
    await session.execute(update(TicketDesk).where(col(TicketDesk.ticket_id) == ticket_id)
                          .values(assigned_officer_id=officer_id))


async def unreported_failures(*, session: AsyncSession, purposes: list[str],
                              limit: int = 50) -> list[OutboxItem]:
    """Reporter-bound messages that failed for good and were not yet shown to officers."""
    alerted = select(col(DeliveryAlert.outbox_id))
    return list((await session.execute(select(OutboxItem).where(
        col(OutboxItem.failed_at).is_not(None), col(OutboxItem.purpose).in_(purposes),
        col(OutboxItem.ticket_id).is_not(None), col(OutboxItem.id).not_in(alerted),
    ).order_by(col(OutboxItem.seq)).limit(limit))).scalars())


async def mark_alerted(*, session: AsyncSession, outbox_id: str, now: datetime) -> None:
    """The failure of this outbox message was shown to the officers."""
    if await session.get(DeliveryAlert, outbox_id) is None:
        session.add(DeliveryAlert(outbox_id=outbox_id, created_at=now))
    await session.flush()


# -- ticket changes made by officers ----------------------------------------------------------
async def set_status(*, session: AsyncSession, ticket_id: str, status: str, closed: bool,
                     now: datetime) -> None:
    """Change the ticket's status; closed statuses stamp `closed_at`, others clear it."""
    await session.execute(update(Ticket).where(col(Ticket.id) == ticket_id).values(
        status=status, updated_at=now, closed_at=now if closed else None))


async def acknowledge(*, session: AsyncSession, ticket_id: str, now: datetime) -> bool:
    """Stamp the first time an officer opened the ticket; True only that first time."""
    result = await session.execute(update(Ticket).where(col(Ticket.id) == ticket_id,
                                               col(Ticket.acknowledged_at).is_(None))
                          .values(acknowledged_at=now))
    return bool(affected_rows(result))


async def add_note(*, session: AsyncSession, ring: Keyring, ticket: Ticket, officer_id: str,
                   text: str, now: datetime) -> OfficerNote:
    """An internal note, sealed with the ticket's data key (AES-256-GCM, bound to the row)."""
    key = await ticket_key(session=session, ring=ring, ticket=ticket)
    note = OfficerNote(ticket_id=ticket.id, officer_id=officer_id, body=b"", created_at=now)
    note.body = seal(key, text.encode(), aad=NOTE_BODY.aad(note.id))
    session.add(note)
    await session.flush()
    return note


async def notes(*, session: AsyncSession, ring: Keyring, ticket: Ticket) -> list[tuple[datetime, str]]:
    """The ticket's internal notes, decrypted, oldest first."""
    key = await ticket_key(session=session, ring=ring, ticket=ticket)
    rows = (await session.execute(select(OfficerNote).where(col(OfficerNote.ticket_id) == ticket.id)
                                  .order_by(col(OfficerNote.created_at)))).scalars()
    return [(r.created_at, unseal(key, r.body, aad=NOTE_BODY.aad(r.id)).decode()) for r in rows]


async def search_tickets(
    *, session: AsyncSession, conflict_of_interest: bool, code: str | None = None,
    category: str | None = None, open_only: bool = False, limit: int = 30,
) -> list[Ticket]:
    """Tickets of one desk (team or escalation), oldest first; by code, category or open."""
    query = select(Ticket).where(col(Ticket.conflict_of_interest).is_(conflict_of_interest))
    if code is not None:
        query = query.where(col(Ticket.code) == code)
    if category is not None:
        query = query.where(col(Ticket.category) == category)
    if open_only:
        query = query.where(col(Ticket.closed_at).is_(None))
    return list((await session.execute(query.order_by(col(Ticket.created_at)).limit(limit))).scalars())
