"""Outbound rate limits that match Telegram's: ~1 message/s per private chat, 20/min per group,
30/s overall (https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this).

Plugged into PTB as its rate limiter, so every call that posts into a chat waits for a slot.
A `RetryAfter` from Telegram pauses that chat (or everything) for the time asked and is then
re-raised: the caller moves the message to the durable outbox, which delivers it later.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

# Calls that put something into a chat; reads, answers to button presses and deletions are free.
LIMITED_ENDPOINTS = frozenset({
    "sendMessage", "sendPhoto", "sendDocument", "sendVoice", "sendMediaGroup", "copyMessage",
    "copyMessages", "editMessageText", "editMessageCaption", "editMessageReplyMarkup",
})


@dataclass(frozen=True, slots=True)
class Rates:
    """Messages per second and the burst allowed before waiting (Telegram's defaults)."""

    private_per_s: float = 1.0
    private_burst: int = 3
    group_per_s: float = 20 / 60
    group_burst: int = 3
    overall_per_s: float = 30.0
    overall_burst: int = 30


class TokenBucket:
    """A token bucket that may go into debt: `reserve()` says how long the caller must wait."""

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic):
        self.rate, self.burst, self._clock = rate, burst, clock
        self._tokens = float(burst)
        self._last = clock()  # refill time; in the future while paused

    def _refilled(self, now: float) -> float:
        return min(self.burst, self._tokens + max(0.0, now - self._last) * self.rate)

    def reserve(self) -> float:
        """Take one slot now; the seconds to wait before using it (0 when free)."""
        now = self._clock()
        self._tokens = self._refilled(now) - 1
        self._last = max(self._last, now)
        debt_wait = -self._tokens / self.rate if self._tokens < 0 else 0.0
        return (self._last - now) + debt_wait

    def pause(self, seconds: float) -> None:
        """Nothing goes out for `seconds` (Telegram said RetryAfter), then one at a time."""
        now = self._clock()
        self._tokens = min(self._refilled(now), 1.0)
        self._last = max(self._last, now + seconds)

    def idle(self) -> bool:
        """Full again and not paused, so it can be forgotten."""
        now = self._clock()
        return now >= self._last and self._refilled(now) >= self.burst


def retry_after_seconds(exc: RetryAfter) -> float:
    """RetryAfter's delay in seconds, whichever type this PTB version reports."""
    value = exc._retry_after  # noqa: SLF001 - the public property warns about its future type
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class TelegramRateLimiter(BaseRateLimiter[None]):
    """PTB rate limiter: one bucket overall and one per chat, paused on RetryAfter."""

    def __init__(self, rates: Rates | None = None) -> None:
        self.rates = rates or Rates()
        self._overall = TokenBucket(self.rates.overall_per_s, self.rates.overall_burst)
        self._chats: dict[int | str, TokenBucket] = {}

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    def _bucket(self, chat_id: int | str) -> TokenBucket:
        if len(self._chats) > 10_000:  # forget chats that have been quiet
            self._chats = {k: b for k, b in self._chats.items() if not b.idle()}
        if chat_id not in self._chats:
            private = isinstance(chat_id, int) and chat_id > 0
            r = self.rates
            self._chats[chat_id] = (TokenBucket(r.private_per_s, r.private_burst) if private
                                    else TokenBucket(r.group_per_s, r.group_burst))
        return self._chats[chat_id]

    async def process_request(  # noqa: PLR0917 -- signature fixed by PTB
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """Wait for a slot in the chat's and the overall bucket, then call the Bot API."""
        chat_id = data.get("chat_id")
        if endpoint not in LIMITED_ENDPOINTS or chat_id is None:
            return await callback(*args, **kwargs)
        chat = self._bucket(chat_id)
        wait = max(chat.reserve(), self._overall.reserve())
        if wait > 0:
            await asyncio.sleep(wait)
        try:
            return await callback(*args, **kwargs)
        except RetryAfter as exc:
            chat.pause(retry_after_seconds(exc))
            raise
