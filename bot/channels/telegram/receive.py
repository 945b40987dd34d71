"""Telegram updates -> neutral inputs: which updates we keep, their de-duplication key, a
reporter's text or button press read straight from the JSON, and files downloaded at once and
cleaned (bot/media.py) before anything is stored."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from telegram import Bot, Message, Update
from telegram.constants import ChatType
from telegram.error import BadRequest, TelegramError

from bot.media import IMAGE_FORMATS, MB, MediaError, clean_off_loop
from handlers.engine.types import Attachment
from storage.crypto import Keyring, handle_digest

log = logging.getLogger(__name__)
UPDATE_KINDS = ["message", "callback_query"]  # allowed_updates for polling and the webhook
BOT_API_DOWNLOAD_LIMIT = 20 * MB  # getFile refuses bigger files on the public Bot API


# what a plain text message may carry; anything else (files, replies, forwards...) goes to PTB
PLAIN_MESSAGE = frozenset({"message_id", "from", "chat", "date", "text", "entities",
                           "link_preview_options"})


@dataclass(frozen=True, slots=True)
class Typed:
    """A message a reporter wrote in a private chat."""

    update_id: int
    chat_id: int
    message_id: int
    text: str | None
    lang_hint: str | None


@dataclass(frozen=True, slots=True)
class Press:
    """A button pressed in a private chat, with what the button's message showed."""

    update_id: int
    query_id: str
    data: str
    lang_hint: str | None
    chat_id: int
    message_id: int
    text: str | None
    buttons: tuple[tuple[str, str], ...] = ()  # (label, callback data)
    accessible: bool = True  # False: too old, Telegram sent no content


def typed_of(update: Update, message: Message) -> Typed:
    """A PTB message as Typed (the caption stands for the text of a file)."""
    hint = message.from_user.language_code if message.from_user else None
    return Typed(update.update_id, message.chat_id, message.message_id,
                 message.text or message.caption, hint)


def press_of(update: Update) -> Press | None:
    """A PTB callback query from a private chat as Press, else None."""
    query = update.callback_query
    message = query.message if query else None
    if query is None or message is None or message.chat.type != ChatType.PRIVATE:
        return None
    accessible = isinstance(message, Message)
    markup = message.reply_markup if isinstance(message, Message) else None
    buttons = tuple((b.text, b.callback_data) for row in markup.inline_keyboard for b in row
                    if isinstance(b.callback_data, str)) if markup else ()
    return Press(update.update_id, query.id, query.data or "", query.from_user.language_code,
                 message.chat.id, message.message_id,
                 message.text if isinstance(message, Message) else None, buttons, accessible)


def citizen_input(raw: dict[str, Any],
                  claimed: Sequence[re.Pattern[str]] = ()) -> Typed | Press | None:
    """The update as a reporter's plain text or button press in a private chat, read from the
    JSON without building PTB objects (the hot path: most updates are these), when only the
    citizen handlers would take it. None: PTB parses and dispatches it (commands, files, groups,
    button data matching `claimed`, anything unexpected)."""
    update_id = raw.get("update_id")
    if not isinstance(update_id, int) or len(raw) != 2:  # noqa: PLR2004 - the id and one kind
        return None
    if (message := raw.get("message")) is not None:
        if not isinstance(message, dict) or not message.keys() <= PLAIN_MESSAGE:
            return None
        text, chat_id = message.get("text"), _private_chat(message)
        message_id = message.get("message_id")
        if (chat_id is None or not isinstance(text, str) or not text or text.startswith("/")
                or not isinstance(message_id, int)):
            return None
        return Typed(update_id, chat_id, message_id, text, _language(message))
    query = raw.get("callback_query")
    if not isinstance(query, dict):
        return None
    message, data, query_id = query.get("message"), query.get("data"), query.get("id")
    if (not isinstance(message, dict) or not isinstance(data, str) or not isinstance(query_id, str)
            or any(pattern.match(data) for pattern in claimed)):
        return None
    chat_id, message_id, text = _private_chat(message), message.get("message_id"), message.get("text")
    buttons = _buttons(message.get("reply_markup"))
    if (chat_id is None or not isinstance(message_id, int) or not message.get("date")
            or not isinstance(text, str | None) or buttons is None):
        return None
    return Press(update_id, query_id, data, _language(query), chat_id, message_id, text, buttons)


# what the inbox keeps of an update: what de-duplication and the handlers read, never a name
USER_FIELDS = ("id", "is_bot", "language_code")
CHAT_FIELDS = ("id", "type", "is_forum")
MESSAGE_FIELDS = ("message_id", "message_thread_id", "is_topic_message", "date", "text", "caption")
FILE_FIELDS = ("file_id", "file_unique_id", "file_size", "mime_type", "width", "height", "duration")
FILE_KINDS = ("document", "voice", "video", "audio")


def _kept(holder: dict[str, Any], fields: Sequence[str]) -> dict[str, Any]:
    return {key: holder[key] for key in fields if key in holder}


def _user(user: object) -> dict[str, Any] | None:
    """Id, bot flag and language; the name PTB requires is left empty."""
    return _kept(user, USER_FIELDS) | {"first_name": ""} if isinstance(user, dict) else None


def _commands(entities: object) -> list[dict[str, Any]]:
    """Only the bot_command entities (a text_mention entity carries a whole user)."""
    if not isinstance(entities, list):
        return []
    return [_kept(e, ("type", "offset", "length")) for e in entities
            if isinstance(e, dict) and e.get("type") == "bot_command"]


def _keyboard(markup: object) -> dict[str, Any] | None:
    """An inline keyboard's labels and data (the pressed option is shown from them)."""
    rows = markup.get("inline_keyboard") if isinstance(markup, dict) else None
    if not isinstance(rows, list):
        return None
    return {"inline_keyboard": [[_kept(b, ("text", "callback_data", "url")) for b in row
                                 if isinstance(b, dict)] for row in rows if isinstance(row, list)]}


def _message(message: object, *, nested: bool = False) -> dict[str, Any] | None:
    """A message without names, contacts, places, forwards' origins or previews."""
    if not isinstance(message, dict):
        return None
    kept = _kept(message, MESSAGE_FIELDS)
    if isinstance(message.get("chat"), dict):
        kept["chat"] = _kept(message["chat"], CHAT_FIELDS)
    if (sender := _user(message.get("from"))) is not None:
        kept["from"] = sender
    for key in ("entities", "caption_entities"):
        if commands := _commands(message.get(key)):
            kept[key] = commands
    if isinstance(photos := message.get("photo"), list):
        kept["photo"] = [_kept(p, FILE_FIELDS) for p in photos if isinstance(p, dict)]
    kept |= {kind: _kept(message[kind], FILE_FIELDS) for kind in FILE_KINDS
             if isinstance(message.get(kind), dict)}
    if (keyboard := _keyboard(message.get("reply_markup"))) is not None:
        kept["reply_markup"] = keyboard
    if not nested and (replied := _message(message.get("reply_to_message"), nested=True)):
        kept["reply_to_message"] = replied
    return kept


def trim_update(raw: dict[str, Any]) -> dict[str, Any]:
    """What the inbox stores of a Telegram update: ids, chat type, date, text or caption,
    command entities, files' ids, sizes and types, a press with its message's text and
    keyboard, language. No first, last or user names, contacts, locations or forward origins."""
    trimmed: dict[str, Any] = {"update_id": raw.get("update_id")}
    if (message := _message(raw.get("message"))) is not None:
        trimmed["message"] = message
    query = raw.get("callback_query")
    if isinstance(query, dict):
        press = _kept(query, ("id", "chat_instance", "data"))
        if (sender := _user(query.get("from"))) is not None:
            press["from"] = sender
        if (pressed := _message(query.get("message"))) is not None:
            press["message"] = pressed
        trimmed["callback_query"] = press
    return trimmed


def _private_chat(message: dict[str, Any]) -> int | None:
    chat = message.get("chat")
    if not isinstance(chat, dict) or chat.get("type") != ChatType.PRIVATE:
        return None
    chat_id = chat.get("id")
    return chat_id if isinstance(chat_id, int) else None


def _language(holder: dict[str, Any]) -> str | None:
    sender = holder.get("from")
    hint = sender.get("language_code") if isinstance(sender, dict) else None
    return hint if isinstance(hint, str) else None


def _buttons(markup: object) -> tuple[tuple[str, str], ...] | None:
    """(label, data) of an inline keyboard's buttons; None if it is not one."""
    if markup is None:
        return ()
    rows = markup.get("inline_keyboard") if isinstance(markup, dict) else None
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        return None
    buttons = [button for row in rows for button in row]
    if not all(isinstance(b, dict) and isinstance(b.get("text"), str) for b in buttons):
        return None
    return tuple((b["text"], b["callback_data"]) for b in buttons
                 if isinstance(b.get("callback_data"), str))


def chat_of(update: Update) -> tuple[int, str] | None:
    """(chat id, chat type) of an update we may handle, else None."""
    chat = update.effective_chat
    if chat is None or (update.message is None and update.callback_query is None):
        return None
    return chat.id, chat.type


def external_id(ring: Keyring, item: Update | Typed | Press) -> str:
    """The inbox key: update_id plus a keyed hash of what the update is.

    Telegram picks update ids at random after a week without updates, so the id alone could
    collide with an old one; the keyed hash (no platform id in clear) tells them apart.
    """
    if isinstance(item, Press):
        what = f"cq:{item.query_id}"
    elif isinstance(item, Typed):
        what = f"m:{item.chat_id}:{item.message_id}"
    elif item.callback_query is not None:
        what = f"cq:{item.callback_query.id}"
    else:
        message = item.effective_message
        chat_id = message.chat_id if message else 0
        what = f"m:{chat_id}:{message.message_id if message else 0}"
    return f"{item.update_id}:{handle_digest(ring, 'telegram-update', what)[:24]}"


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
    cleaned = await clean_off_loop(data, claimed, max_bytes=limit, allowed=allowed)
    if isinstance(cleaned, MediaError):
        return cleaned
    if keep_originals and cleaned.content_type in IMAGE_FORMATS and cleaned.data != data:
        original = Attachment(f"asli-{cleaned.filename}", cleaned.content_type, data)
        return cleaned, original
    return (cleaned,)
