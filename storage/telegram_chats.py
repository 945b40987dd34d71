"""Telegram chat bookkeeping (message ids and the current keyboard). Functions never commit."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Integer, bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from storage.deferred import defer
from storage.models import Conversation, TelegramChat

DELETABLE_FOR = timedelta(hours=48)  # Telegram lets bots delete private-chat messages this long
MAX_TRACKED = 1000


@dataclass(frozen=True, slots=True)
class ChatView:
    """A chat's current keyboard (message id, option ids on it) and its conversation language."""

    keyboard_message_id: int | None = None
    keyboard: tuple[str, ...] = field(default=())
    lang: str | None = None


async def chat_view(*, session: AsyncSession, digest: str) -> ChatView:
    """Which keyboard is current in this chat and the language the reporter chose."""
    row = await session.get(TelegramChat, digest)
    conversation = await session.get(Conversation, digest)
    lang = conversation.lang if conversation else None
    if row is None:
        return ChatView(lang=lang)
    return ChatView(row.keyboard_message_id, tuple(json.loads(row.keyboard)), lang)


@dataclass(frozen=True, slots=True)
class Recorded:
    """Message ids to remember for one chat and what happens to its keyboard."""

    digest: str
    message_ids: tuple[int, ...]
    now: datetime
    keyboard: tuple[int, tuple[str, ...]] | None = None
    clear_keyboard: bool = False


async def record_messages(
    *, session: AsyncSession, digest: str, message_ids: list[int], now: datetime,
    keyboard: tuple[int, list[str]] | None = None, clear_keyboard: bool = False,
) -> None:
    """Remember message ids of the chat (both sides); optionally set or clear the keyboard.

    Sent with the commit, for every chat of the same group commit together: one read of their
    rows and one statement each for the updates and the inserts (storage/deferred.py)."""
    shown = (keyboard[0], tuple(keyboard[1])) if keyboard is not None else None
    defer(session, "telegram_chat.record", _record_many,
          Recorded(digest, tuple(message_ids), now, shown, clear_keyboard))


def _record_many(session: Session, items: list[Recorded]) -> None:
    """Apply every chat's records in order: read the rows once, then write them in bulk."""
    table = TelegramChat.__table__
    conn = session.connection()
    digests = list(dict.fromkeys(item.digest for item in items))
    # digest -> [messages, keyboard message id, keyboard, time of its last record]
    rows = {r.digest: [json.loads(r.messages), r.keyboard_message_id, json.loads(r.keyboard),
                       None]
            for r in conn.execute(select(table.c.digest, table.c.messages,
                                         table.c.keyboard_message_id, table.c.keyboard)
                                  .where(table.c.digest.in_(digests)))}
    existing = set(rows)
    for item in items:
        row = rows.setdefault(item.digest, [[], None, [], None])
        row[3] = item.now
        stamp = int(item.now.timestamp())
        oldest = stamp - int(DELETABLE_FOR.total_seconds())
        kept = [m for m in row[0] if m[1] >= oldest]
        row[0] = (kept + [[i, stamp] for i in item.message_ids])[-MAX_TRACKED:]
        if item.keyboard is not None:
            row[1], row[2] = item.keyboard[0], list(item.keyboard[1])
        elif item.clear_keyboard:
            row[1], row[2] = None, []
    values = [{"b_digest": digest, "b_messages": json.dumps(row[0]), "b_keyboard_id": row[1],
               "b_keyboard": json.dumps(row[2]), "b_at": row[3]} for digest, row in rows.items()]
    updates = [v for v in values if v["b_digest"] in existing]
    inserts = [v for v in values if v["b_digest"] not in existing]
    columns = {"messages": bindparam("b_messages"),
               "keyboard_message_id": bindparam("b_keyboard_id", type_=Integer()),
               "keyboard": bindparam("b_keyboard"),
               "updated_at": bindparam("b_at", type_=table.c.updated_at.type)}
    if updates:
        conn.execute(update(table).where(table.c.digest == bindparam("b_digest"))
                     .values(columns), updates)
    if inserts:
        conn.execute(insert(table).values(digest=bindparam("b_digest"), **columns), inserts)


async def take_transcript(*, session: AsyncSession, digest: str, now: datetime) -> list[int]:
    """The ids still deletable (newer than 48 h), oldest first; the chat forgets all of them."""
    row = await session.get(TelegramChat, digest)
    if row is None:
        return []
    oldest = int((now - DELETABLE_FOR).timestamp())
    ids = [m[0] for m in json.loads(row.messages) if m[1] > oldest]
    row.messages, row.keyboard_message_id, row.keyboard = "[]", None, "[]"
    row.updated_at = now
    return ids
