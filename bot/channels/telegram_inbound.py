"""Telegram updates -> neutral inputs: which updates we keep, their de-duplication key, and
files downloaded at once and cleaned (bot/media.py) before anything is stored."""

from __future__ import annotations

import logging

from telegram import Bot, Message, Update
from telegram.error import BadRequest, TelegramError

from bot.engine.types import Attachment
from bot.media import IMAGE_FORMATS, MB, MediaError, clean_attachment
from storage.crypto import Keyring, handle_digest

log = logging.getLogger(__name__)
UPDATE_KINDS = ["message", "callback_query"]  # allowed_updates for polling and the webhook
BOT_API_DOWNLOAD_LIMIT = 20 * MB  # getFile refuses bigger files on the public Bot API


def chat_of(update: Update) -> tuple[int, str] | None:
    """(chat id, chat type) of an update we may handle, else None."""
    chat = update.effective_chat
    if chat is None or (update.message is None and update.callback_query is None):
        return None
    return chat.id, chat.type


def external_id(ring: Keyring, update: Update) -> str:
    """The inbox key: update_id plus a keyed hash of what the update is.

    Telegram picks update ids at random after a week without updates, so the id alone could
    collide with an old one; the keyed hash (no platform id in clear) tells them apart.
    """
    if update.callback_query is not None:
        what = f"cq:{update.callback_query.id}"
    else:
        message = update.effective_message
        chat_id = message.chat_id if message else 0
        what = f"m:{chat_id}:{message.message_id if message else 0}"
    return f"{update.update_id}:{handle_digest(ring, 'telegram-update', what)[:24]}"


def file_of(message: Message) -> tuple[str, int | None, str | None] | None:
    """(file_id, size, claimed type) of a photo, document or voice note in the message."""
    if message.photo:
        photo = message.photo[-1]  # the largest size
        return photo.file_id, photo.file_size, "image/jpeg"
    if message.document:
        doc = message.document
        return doc.file_id, doc.file_size, doc.mime_type
    if message.voice:
        return message.voice.file_id, message.voice.file_size, message.voice.mime_type
    return None


async def download_attachments(
    bot: Bot, message: Message, *, max_bytes: int, allowed: tuple[str, ...],
    keep_originals: bool = False,
) -> tuple[Attachment, ...] | MediaError:
    """Fetch the message's file now and clean it; a MediaError says why it was refused."""
    found = file_of(message)
    if found is None:
        return ()
    file_id, size, claimed = found
    limit = min(max_bytes, BOT_API_DOWNLOAD_LIMIT)
    too_big = MediaError("common.error.file_size", {"mb": max(1, limit // MB)})
    if size is not None and size > limit:
        return too_big
    try:
        tg_file = await bot.get_file(file_id)
        data = bytes(await tg_file.download_as_bytearray())
    except BadRequest as exc:
        return too_big if "too big" in str(exc).lower() else MediaError("media.error.unreadable")
    except TelegramError as exc:
        log.warning("attachment download failed: %s", type(exc).__name__)
        return MediaError("telegram.error.download")
    cleaned = clean_attachment(data, claimed, max_bytes=limit, allowed=allowed)
    if isinstance(cleaned, MediaError):
        return cleaned
    if keep_originals and cleaned.content_type in IMAGE_FORMATS and cleaned.data != data:
        original = Attachment(f"asli-{cleaned.filename}", cleaned.content_type, data)
        return cleaned, original
    return (cleaned,)
