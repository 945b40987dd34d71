"""Neutral `Outbound` -> Telegram messages: text split under 4,096 characters, options as an
inline keyboard (Bot API JSON, sent by bot/channels/telegram/api.py) whose callback data always
fits Telegram's 64 bytes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.channels.telegram.api import Markup
from handlers.engine.types import Option

MAX_TEXT = 4096
SAFE_TEXT = 4000  # headroom under MAX_TEXT for clients that count differently
MAX_CALLBACK_BYTES = 64
SHORT_LABEL = 18  # labels this short go two to a row


@dataclass(frozen=True, slots=True)
class Chunk:
    """One Telegram message to send: text and, on the last chunk, the keyboard."""

    text: str
    keyboard: Markup | None = None


def split_text(text: str, limit: int = SAFE_TEXT) -> list[str]:
    """Split at paragraph, then line, then word boundaries so each part is <= `limit` chars."""
    parts: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[:limit]
        for separator in ("\n\n", "\n", " "):
            cut = window.rfind(separator)
            if cut > limit // 4:  # a boundary that does not leave a tiny part
                break
        else:
            cut = limit
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest or not parts:
        parts.append(rest)
    return parts


def callback_data(option_id: str, index: int) -> str:
    """The option id itself when it fits in 64 bytes, else its position ("#3")."""
    if len(option_id.encode()) <= MAX_CALLBACK_BYTES and not option_id.startswith("#"):
        return option_id
    return f"#{index}"


def resolve_callback(data: str, offered: Sequence[str]) -> str | None:
    """The option id a button press means, given the ids offered on that keyboard."""
    if data.startswith("#"):
        index = data[1:]
        return offered[int(index)] if index.isdigit() and int(index) < len(offered) else None
    return data if data in offered else None


def keyboard(options: Sequence[Option], extra: Sequence[tuple[str, str]] = ()) -> Markup | None:
    """Options as inline buttons (short labels two to a row), then `extra` (label, data) rows."""
    if not options and not extra:
        return None
    rows: list[list[dict[str, str]]] = []
    for index, option in enumerate(options):
        button = {"text": option.label, "callback_data": callback_data(option.id, index)}
        last = rows[-1] if rows else None
        if (last is not None and len(last) == 1 and len(option.label) <= SHORT_LABEL
                and len(last[0]["text"]) <= SHORT_LABEL):
            last.append(button)
        else:
            rows.append([button])
    rows += [[{"text": label, "callback_data": data}] for label, data in extra]
    return {"inline_keyboard": rows}


def chunks(
    text: str, options: Sequence[Option] = (), extra: Sequence[tuple[str, str]] = ()
) -> list[Chunk]:
    """The messages for one Outbound's text and options (keyboard under the last part)."""
    parts = split_text(text)
    markup = keyboard(options, extra)
    return [Chunk(p) for p in parts[:-1]] + [Chunk(parts[-1], markup)]
