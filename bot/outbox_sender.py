"""Delivers the durable outbox: in order per recipient, retrying with backoff and honouring
the platform's retry-after (Telegram RetryAfter / HTTP 429, WhatsApp 130429)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta

from bot.app import App
from bot.channels.base import Delivery
from storage import outbox
from storage.outbox import PendingMessage

log = logging.getLogger(__name__)
Deliver = Callable[[PendingMessage], Awaitable[Delivery]]
MAX_ATTEMPTS = 12


class OutboxSender:
    """Polls the outbox (and wakes early when poked) and delivers due messages."""

    def __init__(self, app: App, deliverers: dict[str, Deliver], *, interval: float = 2.0) -> None:
        self.app = app
        self.deliverers = deliverers
        self.interval = interval
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    def poke(self) -> None:
        """Deliver soon (called after something was queued)."""
        self._wake.set()

    def start(self) -> None:
        """Run in the background."""
        self._task = asyncio.get_running_loop().create_task(self._loop(), name="outbox-sender")

    async def stop(self) -> None:
        """Let the round in progress finish, flush what is due once more, then stop.

        Cancelling mid-delivery could drop the "delivered" mark of a message already sent, and
        the final flush would send it twice."""
        if self._task:
            self._stopping = True
            self._wake.set()
            await self._task
        await self.flush()

    async def _loop(self) -> None:
        while not self._stopping:
            try:
                await self.flush()
            except Exception:
                log.exception("outbox round failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.interval)
            self._wake.clear()

    async def flush(self) -> int:
        """Deliver every due message once; returns how many were delivered."""
        svc = self.app.services
        if not self.deliverers:
            return 0
        due = await svc.db.read(lambda s: outbox.due_messages(
            session=s, ring=svc.ring, now=svc.clock(), channels=list(self.deliverers)))
        blocked: set[tuple[str, str]] = set()
        delivered = 0
        for message in due:
            route = (message.channel, message.handle)
            if route in blocked:  # keep order: nothing overtakes a message that must wait
                continue
            result = await self._deliver(message)
            if result.ok:
                delivered += 1
            else:
                blocked.add(route)
        return delivered

    async def _deliver(self, message: PendingMessage) -> Delivery:
        svc = self.app.services
        started = time.perf_counter()
        try:
            result = await self.deliverers[message.channel](message)
        except Exception as exc:  # noqa: BLE001 - a bug in one adapter must not stop delivery
            log.exception("delivery raised on channel %s", message.channel)
            result = Delivery.retry(30, type(exc).__name__)
        now = svc.clock()
        self.app.metrics.delivery(message.channel, _outcome(result, message.attempts),
                                  time.perf_counter() - started)
        if result.ok:
            await svc.db.write(lambda s: outbox.mark_delivered(session=s, outbox_id=message.id,
                                                               now=now))
        elif _outcome(result, message.attempts) == "retry":
            # the platform's own retry-after wins; otherwise back off exponentially
            delay = (timedelta(seconds=result.retry_after) if result.retry_after
                     else outbox.backoff(message.attempts))
            log.info("delivery deferred on %s: %s", message.channel, result.error)
            await svc.db.write(lambda s: outbox.mark_retry(session=s, outbox_id=message.id,
                                                           now=now, delay=delay,
                                                           error=result.error or "retry"))
        else:
            log.warning("delivery failed on %s: %s", message.channel, result.error)
            await svc.db.write(lambda s: outbox.mark_failed(session=s, outbox_id=message.id,
                                                            now=now, error=result.error or "failed"))
        return result


def _outcome(result: Delivery, attempts: int) -> str:
    """"sent", "retry" (the platform asked us to wait, attempts left) or "failed"."""
    if result.ok:
        return "sent"
    return "retry" if result.retry_after is not None and attempts + 1 < MAX_ATTEMPTS else "failed"
