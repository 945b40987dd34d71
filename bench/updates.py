"""Telegram update factories for the load driver: typed text and button presses."""

from __future__ import annotations

import itertools
import time
from typing import Any

_update_ids = itertools.count(1)
_message_ids = itertools.count(1)
_callback_ids = itertools.count(1)


def _user(chat_id: int, language: str) -> dict[str, Any]:
    return {"id": chat_id, "is_bot": False, "first_name": "Pelapor", "language_code": language}


def _chat(chat_id: int) -> dict[str, Any]:
    return {"id": chat_id, "type": "private", "first_name": "Pelapor"}


def text_update(chat_id: int, text: str, *, language: str = "id") -> dict[str, Any]:
    """A private message with `text` (a leading /command gets its entity)."""
    message: dict[str, Any] = {
        "message_id": next(_message_ids), "date": int(time.time()), "chat": _chat(chat_id),
        "from": _user(chat_id, language), "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0,
                                "length": len(text.split(maxsplit=1)[0])}]
    return {"update_id": next(_update_ids), "message": message}


def press_update(chat_id: int, data: str, *, message_id: int, bot_id: int,
                 language: str = "id") -> dict[str, Any]:
    """A press on the button with callback `data` under the bot's message `message_id`."""
    return {"update_id": next(_update_ids), "callback_query": {
        "id": str(next(_callback_ids)), "chat_instance": str(chat_id),
        "from": _user(chat_id, language), "data": data,
        "message": {"message_id": message_id, "date": int(time.time()), "chat": _chat(chat_id),
                    "from": {"id": bot_id, "is_bot": True, "first_name": "Bench"}, "text": "…"},
    }}
