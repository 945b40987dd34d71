"""What the runner expects of a channel adapter, and delivery results for the outbox sender."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from aiohttp import web

from storage.outbox import PendingMessage


@dataclass(frozen=True, slots=True)
class Delivery:
    """How one outbox delivery went: sent, retry after `retry_after` seconds, or failed for good.

    `error` is a short code (HTTP status, platform error number), never message content;
    `message_ids` are the platform's ids of what was sent, kept on the outbox row.
    """

    ok: bool
    retry_after: float | None = None
    error: str | None = None
    message_ids: tuple[str, ...] = ()

    @classmethod
    def sent(cls, message_ids: Iterable[int | str] = ()) -> Delivery:
        """Delivered (as these platform message ids, where the adapter has them)."""
        return cls(ok=True, message_ids=tuple(str(i) for i in message_ids))

    @classmethod
    def retry(cls, seconds: float, error: str) -> Delivery:
        """Try again later (rate limit, network)."""
        return cls(ok=False, retry_after=seconds, error=error)

    @classmethod
    def failed(cls, error: str) -> Delivery:
        """Give up (blocked by the user, chat gone)."""
        return cls(ok=False, error=error)


class Channel(Protocol):
    """A channel adapter as the runner sees it."""

    name: str

    def routes(self) -> list[web.RouteDef]:
        """HTTP endpoints this channel needs (webhooks); listed in bot.web's route table."""

    async def start(self) -> None:
        """Begin receiving (polling, webhook registration) and replay the unprocessed inbox."""

    async def stop(self) -> None:
        """Stop receiving and finish in-flight work."""

    async def deliver(self, message: PendingMessage) -> Delivery:
        """Send one outbox message (officer reply, status notice) to its recipient."""
