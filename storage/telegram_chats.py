"""Telegram chat bookkeeping (message ids and the current keyboard). Functions never commit."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session
from sqlmodel import col

from storage.db import affected_rows
from storage.deferred import defer
from storage.models import Conversation, TelegramChat, TelegramMessage
from storage.models.base import table_of
from storage.upsert import insert_ignoring, upserting

DELETABLE_FOR = timedelta(hours=48)  # Telegram lets bots delete private-chat messages this long


@dataclass(frozen=True, slots=True)
class ChatView:
    """A chat's current keyboard (message id, option ids on it), its conversation language
    and the conversation's version (which turn it is at; a keyboard's tag names one)."""

    keyboard_message_id: int | None = None
    keyboard: tuple[str, ...] = field(default=())
    lang: str | None = None
    version: int | None = None


async def chat_view(*, session: AsyncSession, digest: str) -> ChatView:
    """Which keyboard is current in this chat and the language the reporter chose."""
    row = await session.get(TelegramChat, digest)
    conversation = await session.get(Conversation, digest)
    lang = conversation.lang if conversation else None
    version = conversation.version if conversation else None
    if row is None:
        return ChatView(lang=lang, version=version)
    return ChatView(row.keyboard_message_id, tuple(json.loads(row.keyboard)), lang, version)


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

    Sent with the commit, for every chat of the same group commit together: one insert of all
    message ids and one upsert of the keyboards that changed (storage/deferred.py)."""
    shown = (keyboard[0], tuple(keyboard[1])) if keyboard is not None else None
    defer(session, "telegram_chat.record", _record_many,
          Recorded(digest, tuple(message_ids), now, shown, clear_keyboard))


def _record_many(session: Session, items: list[Recorded]) -> None:
    """Apply every chat's records in order: the ids in one statement, the last keyboard each
    chat was shown in another."""
    conn = session.connection()
    dialect = conn.dialect.name
    ids = [{"digest": item.digest, "message_id": message_id, "sent_at": item.now}
           for item in items for message_id in item.message_ids]
    if ids:  # a replayed update records the same ids again: kept once
        conn.execute(insert_ignoring(dialect, table_of(TelegramMessage)), ids)
    keyboards = {}  # digest -> the last keyboard shown (a cleared one is (None, ()))
    for item in items:
        if item.keyboard is not None or item.clear_keyboard:
            message_id, options = item.keyboard or (None, ())
            keyboards[item.digest] = {"digest": item.digest, "keyboard_message_id": message_id,
                                      "keyboard": json.dumps(list(options)),
                                      "updated_at": item.now}
    if keyboards:
        conn.execute(upserting(dialect, table_of(TelegramChat)), list(keyboards.values()))


async def take_transcript(*, session: AsyncSession, digest: str, now: datetime) -> list[int]:
    """The ids still deletable (newer than 48 h), oldest first; the chat forgets all of them."""
    rows = await session.execute(
        select(col(TelegramMessage.message_id))
        .where(col(TelegramMessage.digest) == digest, col(TelegramMessage.sent_at) > now - DELETABLE_FOR)
        .order_by(col(TelegramMessage.message_id)))
    ids = list(rows.scalars())
    await session.execute(delete(TelegramMessage).where(col(TelegramMessage.digest) == digest))
    row = await session.get(TelegramChat, digest)
    if row is not None:
        row.keyboard_message_id, row.keyboard, row.updated_at = None, "[]", now
    return ids


async def prune_messages(*, session: AsyncSession, now: datetime) -> int:
    """Forget message ids too old for a bot to delete (retention); returns how many."""
    result = await session.execute(
        delete(TelegramMessage).where(col(TelegramMessage.sent_at) < now - DELETABLE_FOR))
    return affected_rows(result)
