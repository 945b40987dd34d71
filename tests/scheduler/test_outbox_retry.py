"""The outbox sweeper retries undelivered messages with exponential backoff, honours the
platform's retry-after, keeps order per recipient and gives up after its attempts."""

from __future__ import annotations

from datetime import datetime

from bot.app import App
from bot.channels.base import Delivery
from bot.outbox_sender import MAX_ATTEMPTS, OutboxSender
from storage import outbox
from storage.outbox import PendingMessage
from tests.scheduler.conftest import Clock


class FlakyChannel:
    """A channel adapter whose platform answers from a script, recording each attempt."""

    def __init__(self, clock: Clock, answers: list[Delivery]) -> None:
        self.clock, self.answers = clock, answers
        self.attempts: list[tuple[datetime, str]] = []

    async def deliver(self, message: PendingMessage) -> Delivery:
        self.attempts.append((self.clock(), message.payload["n"]))
        return self.answers.pop(0) if self.answers else Delivery.sent()


async def queue(app: App, *numbers: str) -> None:
    now = app.services.clock()
    for n in numbers:
        await app.db.write(lambda s, n=n: outbox.enqueue(
            session=s, ring=app.services.ring, channel="flaky", handle="chat-1",
            purpose="reply", payload={"n": n}, now=now))


async def test_undelivered_message_is_retried_after_growing_pauses(app: App, clock: Clock) -> None:
    flaky = FlakyChannel(clock, [Delivery.retry(0, "NetworkError"), Delivery.retry(0, "502")])
    sender = OutboxSender(app, {"flaky": flaky.deliver})
    start = clock.advance(seconds=0)
    await queue(app, "first", "second")

    assert await sender.flush() == 0  # network down: "first" waits, "second" stays behind it
    assert [n for _, n in flaky.attempts] == ["first"]
    clock.advance(seconds=0.5)
    assert await sender.flush() == 0  # not due yet: nothing is attempted
    assert len(flaky.attempts) == 1
    clock.advance(seconds=0.5)  # 1 s after the first failure
    assert await sender.flush() == 0
    clock.advance(seconds=1.5)
    assert await sender.flush() == 0  # the second pause is longer (2 s)
    assert len(flaky.attempts) == 2
    clock.advance(seconds=0.5)
    assert await sender.flush() == 2  # delivered, and the one queued behind it too
    assert [(round((at - start).total_seconds(), 1), n) for at, n in flaky.attempts] == [
        (0.0, "first"), (1.0, "first"), (3.0, "first"), (3.0, "second")]


async def test_platform_retry_after_is_honoured(app: App, clock: Clock) -> None:
    flaky = FlakyChannel(clock, [Delivery.retry(30, "429")])
    sender = OutboxSender(app, {"flaky": flaky.deliver})
    await queue(app, "only")
    await sender.flush()
    clock.advance(seconds=29)
    assert await sender.flush() == 0
    clock.advance(seconds=1)
    assert await sender.flush() == 1


async def test_a_raising_adapter_is_retried_later_not_lost(app: App, clock: Clock) -> None:
    calls = []

    async def broken_then_fine(message: PendingMessage) -> Delivery:
        calls.append(message.payload["n"])
        if len(calls) == 1:
            raise RuntimeError("adapter bug")
        return Delivery.sent()

    sender = OutboxSender(app, {"flaky": broken_then_fine})
    await queue(app, "x")
    assert await sender.flush() == 0
    clock.advance(seconds=30)
    assert await sender.flush() == 1
    assert calls == ["x", "x"]


async def test_sender_gives_up_after_its_attempts(app: App, clock: Clock) -> None:
    flaky = FlakyChannel(clock, [Delivery.retry(1, "503")] * MAX_ATTEMPTS)
    sender = OutboxSender(app, {"flaky": flaky.deliver})
    await queue(app, "doomed")
    for _ in range(MAX_ATTEMPTS + 2):
        await sender.flush()
        clock.advance(seconds=2)
    assert len(flaky.attempts) == MAX_ATTEMPTS
    left = await app.db.read(lambda s: outbox.due_messages(
        session=s, ring=app.services.ring, now=clock(), channels=["flaky"]))
    assert left == []
