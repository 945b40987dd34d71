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
TAG = "~"  # callback data "~<keyboard tag>~<option id>"; no option id starts with it


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


def keyboard_tag(version: int) -> str:
    """The tag of a keyboard sent at this conversation version (base 36, a few bytes)."""
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    tag = ""
    while True:
        version, rest = divmod(version, 36)
        tag = digits[rest] + tag
        if not version:
            return tag


def callback_data(option_id: str, index: int, tag: str | None = None) -> str:
    """The option id itself when it fits in 64 bytes, else its position ("#3"); with a tag
    ("~<tag>~<option>"), any worker can tell a press on the current keyboard from the
    database's conversation version, even before the keyboard's message id is recorded."""
    head = "" if tag is None else f"{TAG}{tag}{TAG}"
    data = head + option_id
    if len(data.encode()) <= MAX_CALLBACK_BYTES and not option_id.startswith(("#", TAG)):
        return data
    return f"{head}#{index}"


def split_callback(data: str) -> tuple[str, str | None]:
    """Callback data as (option id or "#index", keyboard tag or None when untagged)."""
    if data.startswith(TAG):
        tag, separated, rest = data[1:].partition(TAG)
        if separated:
            return rest, tag
    return data, None


def resolve_callback(data: str, offered: Sequence[str]) -> str | None:
    """The option id a button press means, given the ids offered on that keyboard."""
    data, _ = split_callback(data)
    if data.startswith("#"):
        index = data[1:]
        return offered[int(index)] if index.isdigit() and int(index) < len(offered) else None
    return data if data in offered else None


def keyboard(options: Sequence[Option], extra: Sequence[tuple[str, str]] = (),
             tag: str | None = None) -> Markup | None:
    """Options as inline buttons (short labels two to a row), then `extra` (label, data) rows."""
    if not options and not extra:
        return None
    rows: list[list[dict[str, str]]] = []
    for index, option in enumerate(options):
        button = {"text": option.label, "callback_data": callback_data(option.id, index, tag)}
        last = rows[-1] if rows else None
        if (last is not None and len(last) == 1 and len(option.label) <= SHORT_LABEL
                and len(last[0]["text"]) <= SHORT_LABEL):
            last.append(button)
        else:
            rows.append([button])
    rows += [[{"text": label, "callback_data": data}] for label, data in extra]
    return {"inline_keyboard": rows}


def chunks(
    text: str, options: Sequence[Option] = (), extra: Sequence[tuple[str, str]] = (),
    tag: str | None = None,
) -> list[Chunk]:
    """The messages for one Outbound's text and options (keyboard under the last part)."""
    parts = split_text(text)
    markup = keyboard(options, extra, tag)
    return [Chunk(p) for p in parts[:-1]] + [Chunk(parts[-1], markup)]
