"""What the Telegram channel remembers about a private chat: message ids only, never content."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from storage.models.base import when


class TelegramChat(SQLModel, table=True):
    """Keyed by HMAC(telegram:chat id), like the conversation.

    `keyboard_message_id` and `keyboard` (the option ids on it) say which buttons are current,
    so older ones are answered as stale. The chat's message ids are rows of `telegram_message`.
    """

    __tablename__ = "telegram_chat"

    digest: str = Field(primary_key=True, max_length=64)
    keyboard_message_id: int | None = None
    keyboard: str = Field(default="[]")
    updated_at: datetime = when(default_now=True)


class TelegramMessage(SQLModel, table=True):
    """One message id of a private chat (either side), so "Hapus percakapan ini" can delete the
    transcript. Only ids younger than 48 hours can be deleted by a bot; older rows are pruned."""

    __tablename__ = "telegram_message"

    digest: str = Field(primary_key=True, max_length=64)  # the chat's, as in telegram_chat
    message_id: int = Field(primary_key=True)
    # no index: the table holds two or three days of ids, and only retention filters on time
    sent_at: datetime = when(nullable=False)
