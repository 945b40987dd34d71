"""Tickets, their thread and attachments. Functions take a session and never commit."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.crypto import (
    Keyring,
    new_data_key,
    seal,
    unseal,
    unwrap_data_key,
    wrap_data_key,
)
from storage.models import DataKey, Ticket, TicketAttachment, TicketMessage
from storage.models.ticket import (
    ATTACHMENT_DATA,
    ATTACHMENT_NAME,
    MESSAGE_BODY,
    TICKET_CONTENT,
    TICKET_ROUTE,
)


@dataclass(frozen=True, slots=True)
class ThreadEntry:
    """One decrypted message of a ticket thread."""

    id: str
    author: str
    text: str
    created_at: datetime
    officer_id: str | None = None


@dataclass(frozen=True, slots=True)
class StoredFile:
    """One decrypted attachment."""

    id: str
    name: str
    content_type: str
    data: bytes


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


async def create_ticket(
    *,
    session: AsyncSession,
    ring: Keyring,
    code: str,
    kind: str,
    category: str,
    channel: str,
    content: dict[str, Any],
    route: dict[str, str] | None,
    secret_hash: str,
    now: datetime,
    conflict_of_interest: bool = False,
) -> Ticket:
    """Insert a ticket with its own data key; content and route are sealed with that key."""
    key = new_data_key()
    data_key = DataKey(kek_id="", wrapped=b"", created_at=now)
    data_key.kek_id, data_key.wrapped = wrap_data_key(ring, key, key_row_id=data_key.id)
    ticket = Ticket(code=code, kind=kind, category=category, channel=channel,
                    data_key_id=data_key.id, secret_hash=secret_hash, content=b"",
                    conflict_of_interest=conflict_of_interest, created_at=now, updated_at=now)
    ticket.content = seal(key, _json(content), aad=TICKET_CONTENT.aad(ticket.id))
    if route is not None:
        ticket.route = seal(key, _json(route), aad=TICKET_ROUTE.aad(ticket.id))
    session.add(data_key)
    await session.flush()
    session.add(ticket)
    await session.flush()
    return ticket


async def find_ticket(*, session: AsyncSession, code: str) -> Ticket | None:
    """The ticket with this Kode Laporan, if any."""
    return (await session.execute(select(Ticket).where(col(Ticket.code) == code))).scalar_one_or_none()


async def get_ticket(*, session: AsyncSession, ticket_id: str) -> Ticket | None:
    """The ticket with this id, if any."""
    return await session.get(Ticket, ticket_id)


async def lock_ticket(*, session: AsyncSession, ticket_id: str) -> Ticket | None:
    """The ticket, fresh from the database and row-locked until commit (PostgreSQL
    `FOR NO KEY UPDATE`, the lock an UPDATE takes, so inserts that reference the ticket are not
    blocked; SQLite locks the whole file at the first write). Step one of the lock order in
    storage/audit.py."""
    query = (select(Ticket).where(col(Ticket.id) == ticket_id).with_for_update(key_share=True)
             .execution_options(populate_existing=True))
    return (await session.execute(query)).scalar_one_or_none()


async def ticket_key(*, session: AsyncSession, ring: Keyring, ticket: Ticket) -> bytes:
    """Unwrap the ticket's data key."""
    row = await session.get(DataKey, ticket.data_key_id)
    if row is None:
        raise LookupError("data key destroyed")
    return unwrap_data_key(ring, row.kek_id, row.wrapped, key_row_id=row.id)


async def read_content(*, session: AsyncSession, ring: Keyring, ticket: Ticket) -> dict[str, Any]:
    """The decrypted report fields."""
    key = await ticket_key(session=session, ring=ring, ticket=ticket)
    return json.loads(unseal(key, ticket.content, aad=TICKET_CONTENT.aad(ticket.id)))


async def read_route(
    *, session: AsyncSession, ring: Keyring, ticket: Ticket
) -> dict[str, str] | None:
    """Where to reach the reporter (channel and handle), decrypted; None if not kept."""
    if ticket.route is None:
        return None
    key = await ticket_key(session=session, ring=ring, ticket=ticket)
    return json.loads(unseal(key, ticket.route, aad=TICKET_ROUTE.aad(ticket.id)))


async def add_message(
    *,
    session: AsyncSession,
    ring: Keyring,
    ticket: Ticket,
    author: str,
    text: str,
    now: datetime,
    officer_id: str | None = None,
) -> TicketMessage:
    """Append a message to the thread and stamp the ticket's last-message time."""
    key = await ticket_key(session=session, ring=ring, ticket=ticket)
    message = TicketMessage(ticket_id=ticket.id, author=author, officer_id=officer_id, body=b"",
                            created_at=now)
    message.body = seal(key, text.encode(), aad=MESSAGE_BODY.aad(message.id))
    session.add(message)
    stamp = {"updated_at": now}
    if author == "reporter":
        stamp["last_reporter_message_at"] = now
    elif author == "officer":
        stamp["last_officer_message_at"] = now
    await session.execute(update(Ticket).where(col(Ticket.id) == ticket.id).values(**stamp))
    await session.flush()
    return message


async def thread(*, session: AsyncSession, ring: Keyring, ticket: Ticket) -> list[ThreadEntry]:
    """The decrypted thread, oldest first."""
    key = await ticket_key(session=session, ring=ring, ticket=ticket)
    rows = (await session.execute(
        select(TicketMessage).where(col(TicketMessage.ticket_id) == ticket.id)
        .order_by(col(TicketMessage.created_at), col(TicketMessage.id))
    )).scalars()
    return [ThreadEntry(m.id, m.author, unseal(key, m.body, aad=MESSAGE_BODY.aad(m.id)).decode(),
                        m.created_at, m.officer_id) for m in rows]


async def add_attachment(
    *,
    session: AsyncSession,
    ring: Keyring,
    ticket: Ticket,
    name: str,
    content_type: str,
    data: bytes,
    now: datetime,
    message_id: str | None = None,
) -> TicketAttachment:
    """Store a file with the ticket, sealed with its data key."""
    key = await ticket_key(session=session, ring=ring, ticket=ticket)
    row = TicketAttachment(ticket_id=ticket.id, message_id=message_id, content_type=content_type,
                           size=len(data), name=b"", data=b"", created_at=now)
    row.name = seal(key, name.encode(), aad=ATTACHMENT_NAME.aad(row.id))
    row.data = seal(key, data, aad=ATTACHMENT_DATA.aad(row.id))
    session.add(row)
    await session.flush()
    return row


async def attachments(
    *, session: AsyncSession, ring: Keyring, ticket: Ticket, message_id: str | None = None
) -> list[StoredFile]:
    """The ticket's files, decrypted (optionally only those of one message)."""
    key = await ticket_key(session=session, ring=ring, ticket=ticket)
    query = select(TicketAttachment).where(col(TicketAttachment.ticket_id) == ticket.id)
    if message_id is not None:
        query = query.where(col(TicketAttachment.message_id) == message_id)
    rows = (await session.execute(query.order_by(col(TicketAttachment.created_at)))).scalars()
    return [StoredFile(r.id, unseal(key, r.name, aad=ATTACHMENT_NAME.aad(r.id)).decode(),
                       r.content_type, unseal(key, r.data, aad=ATTACHMENT_DATA.aad(r.id)))
            for r in rows]


async def replace_secret_hash(*, session: AsyncSession, ticket_id: str, old: str, new: str) -> None:
    """Store a receipt's re-hashed (keyed) form, unless the stored hash changed meanwhile."""
    await session.execute(update(Ticket).where(col(Ticket.id) == ticket_id, col(Ticket.secret_hash) == old)
                          .values(secret_hash=new))
