"""Delivers the durable outbox: in order per recipient, retrying with backoff and honouring
the platform's retry-after (Telegram RetryAfter / HTTP 429, WhatsApp 130429).

Any number of workers may run a sender on one database. Each round claims its due rows first
(`storage.outbox.claim_due`, a lease of `lease` seconds under this sender's worker id), sends
them, and marks each delivered, deferred or failed, which hands the claim back. A worker that
dies mid-round leaves its claims to run out; then another worker takes those rows. The one
duplicate left: a worker that dies after the platform accepted a message and before its
"delivered" mark was written; after the lease, another worker sends that message again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.app import App
from bot.channels.base import Delivery
from storage import outbox
from storage.outbox import PendingMessage

log = logging.getLogger(__name__)
Deliver = Callable[[PendingMessage], Awaitable[Delivery]]
MAX_ATTEMPTS = 12
# Longer than one delivery may take (a few Bot API calls of 10 s read + 10 s write each); the
# claims of a long round are renewed while at least half of the lease is left.
LEASE_SECONDS = 120.0


def worker_id() -> str:
    """This sender's name in claims: the process id and a random part (pids repeat across
    hosts and restarts)."""
    return f"{os.getpid()}-{secrets.token_hex(6)}"


class OutboxSender:
    """Polls the outbox (and wakes early when poked), claims due messages and delivers them."""

    def __init__(self, app: App, deliverers: dict[str, Deliver], *, interval: float = 2.0,
                 worker: str | None = None, lease: float = LEASE_SECONDS, batch: int = 100) -> None:
        self.app = app
        self.deliverers = deliverers
        self.interval = interval
        self.worker = worker or worker_id()
        self.lease = timedelta(seconds=lease)
        self.batch = batch  # messages claimed per round
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
        after its lease another worker would send it twice."""
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
        """Claim every due message and deliver it once; returns how many were delivered."""
        svc = self.app.services
        if not self.deliverers:
            return 0
        now = svc.clock()
        due = await svc.db.write(lambda s: outbox.claim_due(
            session=s, ring=svc.ring, now=now, channels=list(self.deliverers),
            worker=self.worker, lease=self.lease, limit=self.batch))
        lease_end = now + self.lease
        blocked: set[tuple[str, str]] = set()
        unused: list[str] = []
        delivered = 0
        for n, message in enumerate(due):
            route = (message.channel, message.handle)
            if route in blocked:  # keep order: nothing overtakes a message that must wait
                unused.append(message.id)
                continue
            if svc.clock() + self.lease / 2 > lease_end:
                lease_end, lost = await self._renew(due[n:])
                if message.id in lost:  # run out and taken by another worker: theirs now
                    blocked.add(route)
                    continue
            result = await self._deliver(message)
            if result.ok:
                delivered += 1
            else:
                blocked.add(route)
        if unused:
            await svc.db.write(lambda s: outbox.release(session=s, ids=unused, worker=self.worker))
        return delivered

    async def _renew(self, messages: list[PendingMessage]) -> tuple[datetime, set[str]]:
        """Extend the claims not yet used; returns the new lease end and the ids lost."""
        svc = self.app.services
        now = svc.clock()
        ids = [m.id for m in messages]
        held = await svc.db.write(lambda s: outbox.extend_claims(
            session=s, ids=ids, worker=self.worker, now=now, lease=self.lease))
        return now + self.lease, set(ids) - held

    async def _deliver(self, message: PendingMessage) -> Delivery:
        svc = self.app.services
        started = time.perf_counter()
        try:
            result = await self.deliverers[message.channel](message)
        except Exception as exc:  # noqa: BLE001 - a bug in one adapter must not stop delivery
            log.exception("delivery raised on channel %s", message.channel)
            result = Delivery.retry(30, type(exc).__name__)
        now = svc.clock()
        outcome = _outcome(result, message.attempts)
        self.app.metrics.delivery(message.channel, outcome, time.perf_counter() - started)
        if result.ok:
            marked = await svc.db.write(lambda s: outbox.mark_delivered(
                session=s, outbox_id=message.id, now=now, worker=self.worker,
                sent_ids=result.message_ids))
        elif outcome == "retry":
            # the platform's own retry-after wins; otherwise back off exponentially
            delay = (timedelta(seconds=result.retry_after) if result.retry_after
                     else outbox.backoff(message.attempts))
            log.info("delivery deferred on %s: %s", message.channel, result.error)
            marked = await svc.db.write(lambda s: outbox.mark_retry(
                session=s, outbox_id=message.id, now=now, delay=delay,
                error=result.error or "retry", worker=self.worker))
        else:
            log.warning("delivery failed on %s: %s", message.channel, result.error)
            marked = await svc.db.write(lambda s: outbox.mark_failed(
                session=s, outbox_id=message.id, now=now, error=result.error or "failed",
                worker=self.worker))
        if not marked:
            log.warning("outbox claim on %s ran out before the message was marked %s",
                        message.channel, outcome)
        return result


def _outcome(result: Delivery, attempts: int) -> str:
    """"sent", "retry" (the platform asked us to wait, attempts left) or "failed"."""
    if result.ok:
        return "sent"
    return "retry" if result.retry_after is not None and attempts + 1 < MAX_ATTEMPTS else "failed"
