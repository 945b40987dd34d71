"""What the Telegram channel remembers about a private chat: message ids only, never content."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from storage.models.base import when


class TelegramChat(SQLModel, table=True):
    """Keyed by HMAC(telegram:chat id), like the conversation.

    `messages` is JSON `[[message_id, unix_time], ...]` of both sides of the chat, so
    "Hapus percakapan ini" can delete the transcript; `keyboard_message_id` and `keyboard`
    (the option ids on it) say which buttons are current, so older ones are answered as stale.
    """

    __tablename__ = "telegram_chat"

    digest: str = Field(primary_key=True, max_length=64)
    messages: str = Field(default="[]")
    keyboard_message_id: int | None = None
    keyboard: str = Field(default="[]")
    updated_at: datetime = when(default_now=True)  # type: ignore[assignment]
