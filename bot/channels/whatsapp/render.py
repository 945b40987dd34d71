"""Render a neutral `Outbound` as WhatsApp message bodies, and read typed choices back.

≤ 3 short options -> reply buttons (title ≤ 20), ≤ 10 -> a list (row title ≤ 24,
description ≤ 72), more -> numbered text whose number the reporter types back.
Interactive bodies hold ≤ 1,024 characters and text messages ≤ 4,096: longer text is sent
first as plain text, cut at paragraph, line or word boundaries.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.channels.whatsapp.api import (
    MAX_BUTTON_TITLE,
    MAX_BUTTONS,
    MAX_INTERACTIVE_BODY,
    MAX_LIST_ROWS,
    MAX_ROW_DESCRIPTION,
    MAX_ROW_TITLE,
    MAX_TEXT,
    buttons_message,
    list_message,
    text_message,
)
from handlers.engine.types import Attachment, Option, Outbound
from handlers.i18n import t

Rendered = dict[str, Any] | Attachment


def _cut(text: str, limit: int) -> int:
    """Where to cut `text` so the first part is ≤ limit: a paragraph, line or word boundary."""
    if len(text) <= limit:
        return len(text)
    for sep in ("\n\n", "\n", " "):
        at = text.rfind(sep, 0, limit + 1)
        if at > limit // 2:
            return at
    return limit


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split text into parts of at most `limit` characters at natural boundaries."""
    parts: list[str] = []
    rest = text.strip()
    while rest:
        at = _cut(rest, limit)
        parts.append(rest[:at].rstrip())
        rest = rest[at:].lstrip()
    return parts


def _split_tail(text: str, limit: int) -> tuple[str, str]:
    """(head, tail): tail is the last ≤ limit characters, cut at a natural boundary."""
    text = text.strip()
    if len(text) <= limit:
        return "", text
    window = text[-limit:]
    for sep in ("\n\n", "\n", " "):
        at = window.find(sep)
        if 0 <= at < limit // 2:
            start = len(text) - limit + at
            return text[:start].rstrip(), text[start:].strip()
    return text[:-limit].rstrip(), window


def _ellipsis(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def _row(option: Option) -> tuple[str, str, str | None]:
    title = _ellipsis(option.label, MAX_ROW_TITLE)
    description = option.description
    if description is None and title != option.label:
        description = option.label  # the full label stays readable under a shortened title
    return option.id, title, _ellipsis(description, MAX_ROW_DESCRIPTION) if description else None


def numbered(text: str, options: tuple[Option, ...], lang: str) -> str:
    """Text followed by "1. label" lines and a hint to reply with the number."""
    lines = [f"{n}. {o.label}" for n, o in enumerate(options, start=1)]
    parts = (text.strip(), "\n".join(lines), t(lang, "whatsapp.numbered.hint"))
    return "\n\n".join(p for p in parts if p)


def _interactive(text: str, options: tuple[Option, ...], lang: str) -> list[Rendered]:
    head, body = _split_tail(text or "…", MAX_INTERACTIVE_BODY)
    out: list[Rendered] = [text_message(part) for part in split_text(head)]
    if len(options) <= MAX_BUTTONS and all(len(o.label) <= MAX_BUTTON_TITLE for o in options):
        out.append(buttons_message(body, [(o.id, o.label) for o in options]))
    else:
        out.append(list_message(body, t(lang, "whatsapp.list.button"), [_row(o) for o in options]))
    return out


def render(outbound: Outbound, lang: str) -> list[Rendered]:
    """Message bodies (and attachments to upload) for one `Outbound`, in sending order."""
    options = outbound.options
    if options and len(options) <= MAX_LIST_ROWS:
        out = _interactive(outbound.text, options, lang)
    else:
        text = numbered(outbound.text, options, lang) if options else outbound.text
        out = [text_message(part) for part in split_text(text)]
    return [*outbound.attachments, *out]


def typed_number(text: str | None, option_ids: Sequence[str]) -> str | None:
    """The option id a typed number ("3", "3.") names among numbered options, else None."""
    typed = (text or "").strip().rstrip(".)").strip()
    if typed.isdigit() and 1 <= int(typed) <= len(option_ids):
        return option_ids[int(typed) - 1]
    return None


def numbered_ids(outbound: Outbound) -> tuple[str, ...]:
    """The option ids `render` shows as numbered text (empty when it uses buttons or a list)."""
    return tuple(o.id for o in outbound.options) if len(outbound.options) > MAX_LIST_ROWS else ()
