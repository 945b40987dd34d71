"""Several workers share one outbox: each message reaches its recipient exactly once and in
order per recipient, a dead worker's messages are taken over after its lease, and the
platform's message ids are kept with the delivered mark."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from bot.app import App
from bot.channels.base import Delivery
from bot.outbox_sender import LEASE_SECONDS, Deliver, OutboxSender
from storage import outbox
from storage.models import OutboxItem
from storage.outbox import PendingMessage
from tests.scheduler.conftest import Clock


class Platform:
    """A chat platform that takes a moment per message and records who sent what to whom."""

    def __init__(self, answers: dict[str, list[Delivery]] | None = None) -> None:
        self.sent: list[tuple[str, str, str]] = []  # (worker, chat, text)
        self.answers = answers or {}
        self.during: Callable[[], Awaitable[None]] | None = None  # while a message is in flight

    def deliverer(self, worker: str) -> Deliver:
        """The channel adapter of one worker."""
        async def deliver(message: PendingMessage) -> Delivery:
            text = message.payload["n"]
            await asyncio.sleep(0.005)  # the HTTP call: the other worker runs meanwhile
            if self.during is not None:
                await self.during()
            if self.answers.get(text):
                return self.answers[text].pop(0)
            self.sent.append((worker, message.handle, text))
            return Delivery.sent([f"{text}-id", 7])
        return deliver

    def texts(self, chat: str | None = None) -> list[str]:
        """What arrived, in order (in one chat)."""
        return [t for _, c, t in self.sent if chat is None or c == chat]


def sender(app: App, platform: Platform, worker: str, **options: int) -> OutboxSender:
    """One worker's outbox sender on the "chat" channel."""
    return OutboxSender(app, {"chat": platform.deliverer(worker)}, worker=worker, **options)


async def queue(app: App, *messages: tuple[str, str]) -> None:
    """Queue (chat, text) messages in this order."""
    now = app.services.clock()
    for chat, text in messages:
        await app.db.write(lambda s, chat=chat, text=text: outbox.enqueue(
            session=s, ring=app.services.ring, channel="chat", handle=chat, purpose="reply",
            payload={"n": text}, now=now))


async def rows(app: App) -> list[OutboxItem]:
    """The outbox as stored, in queue order."""
    async def read(session: AsyncSession) -> list[OutboxItem]:
        return list((await session.execute(select(OutboxItem).order_by(col(OutboxItem.seq))))
                    .scalars())
    return await app.db.read(read)


async def test_two_workers_send_every_message_once_and_in_order_per_chat(
    app: App, second_worker: App, clock: Clock,
) -> None:
    platform = Platform()
    chats = [f"chat-{c}" for c in range(5)]
    expected = {chat: [f"{chat}/{n}" for n in range(6)] for chat in chats}
    await queue(app, *[(chat, expected[chat][n]) for n in range(6) for chat in chats])
    first = sender(app, platform, "worker-a", batch=4)
    second = sender(second_worker, platform, "worker-b", batch=4)

    for _ in range(40):
        await asyncio.gather(first.flush(), second.flush(), first.flush(), second.flush())
        if len(platform.sent) >= 30:
            break

    assert sorted(platform.texts()) == sorted(t for texts in expected.values() for t in texts)
    for chat in chats:
        assert platform.texts(chat) == expected[chat]
    stored = await rows(app)
    assert all(r.delivered_at is not None and r.claimed_by is None for r in stored)
    assert {r.attempts for r in stored} == {1}
    assert {r.sent_ids for r in stored} == {f"{chat}/{n}-id,7" for chat in chats for n in range(6)}


async def test_a_dead_workers_messages_are_sent_by_another_after_its_lease(
    app: App, second_worker: App, clock: Clock,
) -> None:
    platform = Platform()
    await queue(app, ("chat-1", "first"), ("chat-1", "second"), ("chat-2", "other"))
    stuck = asyncio.Event()

    async def hang(message: PendingMessage) -> Delivery:
        stuck.set()
        await asyncio.Event().wait()  # the process dies here
        raise AssertionError("unreachable")

    dying = OutboxSender(app, {"chat": hang}, worker="worker-a", batch=1)
    round_ = asyncio.create_task(dying.flush())
    await stuck.wait()
    round_.cancel()  # died holding a claim on "first"
    survivor = sender(second_worker, platform, "worker-b")

    assert await survivor.flush() == 1
    assert platform.texts() == ["other"]  # "second" must not overtake the claimed "first"
    clock.advance(seconds=LEASE_SECONDS - 1)
    assert await survivor.flush() == 0
    clock.advance(seconds=2)
    assert await survivor.flush() == 2
    assert platform.texts() == ["other", "first", "second"]
    assert await survivor.flush() == 0


async def test_a_message_held_back_by_a_retry_is_sent_by_any_worker_once_due(
    app: App, second_worker: App, clock: Clock,
) -> None:
    platform = Platform({"first": [Delivery.retry(30, "429")]})
    await queue(app, ("chat-1", "first"), ("chat-1", "second"))
    first = sender(app, platform, "worker-a")
    second = sender(second_worker, platform, "worker-b")

    assert await first.flush() == 0  # rate limited: "second" waits behind "first"
    assert await second.flush() == 0
    clock.advance(seconds=30)
    assert await second.flush() == 2
    assert platform.sent == [("worker-b", "chat-1", "first"), ("worker-b", "chat-1", "second")]


async def test_a_long_round_keeps_its_claims_while_another_worker_polls(
    app: App, second_worker: App, clock: Clock,
) -> None:
    platform = Platform()
    await queue(app, ("chat-1", "a"), ("chat-2", "b"), ("chat-3", "c"), ("chat-4", "d"))
    slow = sender(app, platform, "worker-a")
    other = sender(second_worker, Platform(), "worker-b")
    polled: list[int] = []

    async def slow_platform_and_a_polling_neighbour() -> None:
        clock.advance(seconds=LEASE_SECONDS * 0.7)  # each message takes most of a lease
        polled.append(await other.flush())

    platform.during = slow_platform_and_a_polling_neighbour
    assert await slow.flush() == 4
    assert platform.texts() == ["a", "b", "c", "d"]
    assert polled == [0, 0, 0, 0]


async def test_only_the_claim_holder_can_mark_a_message(
    app: App, second_worker: App, clock: Clock,
) -> None:
    await queue(app, ("chat-1", "only"))
    lease = timedelta(seconds=LEASE_SECONDS)

    def claim(worker: str) -> Callable[[AsyncSession], Awaitable[list[PendingMessage]]]:
        return lambda s: outbox.claim_due(session=s, ring=app.services.ring, now=clock(),
                                          channels=["chat"], worker=worker, lease=lease)

    [taken] = await app.db.write(claim("worker-a"))
    assert await second_worker.db.write(claim("worker-b")) == []
    clock.advance(seconds=LEASE_SECONDS + 1)  # worker-a stalled past its lease
    [retaken] = await second_worker.db.write(claim("worker-b"))
    assert retaken.id == taken.id

    late = await app.db.write(lambda s: outbox.mark_delivered(
        session=s, outbox_id=taken.id, now=clock(), worker="worker-a", sent_ids=["1"]))
    assert late is False
    assert await second_worker.db.write(lambda s: outbox.mark_delivered(
        session=s, outbox_id=taken.id, now=clock(), worker="worker-b", sent_ids=["2"]))
    [row] = await rows(app)
    assert (row.sent_ids, row.claimed_by, row.attempts) == ("2", None, 1)
