"""Telegram chat bookkeeping (message ids and the current keyboard). Functions never commit."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

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


async def record_messages(
    *, session: AsyncSession, digest: str, message_ids: list[int], now: datetime,
    keyboard: tuple[int, list[str]] | None = None, clear_keyboard: bool = False,
) -> None:
    """Remember message ids of the chat (both sides); optionally set or clear the keyboard."""
    row = await session.get(TelegramChat, digest)
    if row is None:
        row = TelegramChat(digest=digest)
        session.add(row)
    stamp = int(now.timestamp())
    oldest = stamp - int(DELETABLE_FOR.total_seconds())
    kept = [m for m in json.loads(row.messages) if m[1] >= oldest]
    row.messages = json.dumps((kept + [[i, stamp] for i in message_ids])[-MAX_TRACKED:])
    if keyboard is not None:
        row.keyboard_message_id, row.keyboard = keyboard[0], json.dumps(keyboard[1])
    elif clear_keyboard:
        row.keyboard_message_id, row.keyboard = None, "[]"
    row.updated_at = now


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
