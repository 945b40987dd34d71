"""Walking many Telegram chats through the webhook at once, step by step."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from typing import Any

from bench.driver import CODE_RE, SECRET_RE
from tests.fakes.bot_api import FakeBotApi
from tests.reliability.chaos import words

# (kind, value, key of the question that must follow); "{code}"/"{secret}" come from the receipt
WALK = [
    ("text", "/start", "menu.greeting"),
    ("press", "menu:complaint", "complaint.ask.category"),
    ("press", "pungli", "complaint.ask.what"),
    ("text", "Petugas loket meminta uang tambahan supaya paspor cepat selesai", "complaint.ask.who"),
    ("text", "Petugas loket tiga", "complaint.ask.concerns_team"),
    ("press", "tidak", "complaint.ask.when"),
    ("text", "kemarin", "complaint.ask.where"),
    ("text", "Loket paspor lantai satu", "complaint.ask.amount"),
    ("text", "500rb", "complaint.ask.evidence"),
    ("press", "nav:skip", "complaint.ask.elsewhere"),
    ("press", "tidak", "common.summary.title"),
    ("press", "confirm:submit", "receipt.issued"),
    ("text", "/cek", "status.ask.code"),
    ("text", "{code}", "status.ask.secret"),
    ("text", "{secret}", "status.ask.action"),
    ("press", "add", "status.ask.info"),
    ("text", "Ada saksi lain di ruang tunggu", "status.ask.files"),
    ("press", "nav:skip", "status.info_added"),
]


def update_for(api: FakeBotApi, chat: int, kind: str, value: str, receipt: dict[str, str]
               ) -> dict[str, Any]:
    """The update for one step of one chat."""
    if kind == "press":
        return api.press(chat, value)
    return api.text_message(chat, value.format(**receipt))


def receipt_of(texts: list[str]) -> dict[str, str]:
    """Code and secret from the bot's messages."""
    joined = "\n".join(texts)
    code, secret = CODE_RE.search(joined), SECRET_RE.search(joined)
    assert code, "no receipt code"
    assert secret, "no receipt secret"
    return {"code": code.group(0), "secret": secret.group(0)}


def normalised(texts: list[str]) -> list[str]:
    """Bot messages with the per-report code and secret blanked out."""
    return [SECRET_RE.sub("<secret>", CODE_RE.sub("<code>", t)) for t in texts]


async def walk_all(api: FakeBotApi, chats: list[int],
                   deliver: Callable[[list[dict[str, Any]]], Any]) -> dict[int, dict[str, str]]:
    """Every chat takes each WALK step; `deliver` posts that step's updates (any order)."""
    receipts: dict[int, dict[str, str]] = {c: {} for c in chats}
    for kind, value, expected in WALK:
        seen = {c: len(api.sent_texts(c)) for c in chats}
        updates = {c: update_for(api, c, kind, value, receipts[c]) for c in chats}
        await deliver(list(updates.items()))
        wanted = words(expected)

        def answered(seen: dict[int, int] = seen, wanted: str = wanted) -> bool:
            return all(any(wanted in t for t in api.sent_texts(c)[seen[c]:]) for c in chats)

        await api.wait_until(answered, timeout=20)
        if expected == "receipt.issued":
            await asyncio.sleep(0.2)  # the menu follows the receipt
            receipts = {c: receipt_of(api.sent_texts(c)[seen[c]:]) for c in chats}
    await asyncio.sleep(0.3)  # let any late duplicate show itself
    return receipts


def digits(text: str) -> str:
    """Only the digits of `text`."""
    return re.sub(r"\D", "", text)
