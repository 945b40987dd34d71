"""Stopping a worker (SIGTERM) lets the update in hand finish and flushes the outbox through
channels that are still open."""

from __future__ import annotations

import asyncio

from aiohttp import web

from bot.app import App
from bot.channels.base import Delivery
from bot.runner import serve
from handlers.events import TICKET_NEW
from storage.outbox import PendingMessage
from tests.handlers.test_complaint_flow import receipt_of, walk_to_summary
from tests.support.reporter import Reporter


class TeamDesk:
    """A channel double for the officers' side: records deliveries, refuses them once stopped."""

    name = "team"

    def __init__(self) -> None:
        self.delivered: list[str] = []
        self.stopped = False

    def routes(self) -> list[web.RouteDef]:
        return []

    async def start(self) -> None:
        self.stopped = False

    async def stop(self) -> None:
        self.stopped = True

    async def deliver(self, message: PendingMessage) -> Delivery:
        if self.stopped:
            return Delivery.retry(5, "stopped")
        self.delivered.append(message.purpose)
        return Delivery.sent()


async def test_stop_finishes_the_turn_in_hand_and_flushes_the_outbox(app: App):
    app.settings = app.settings.replace(web={"listen_port": 0}, scheduler={"enabled": False})
    desk, stop = TeamDesk(), asyncio.Event()
    server = asyncio.create_task(serve(app, [desk], stop))
    await asyncio.sleep(0.1)  # let it start listening
    reporter = Reporter(app.engine)
    await walk_to_summary(reporter)
    desk.delivered.clear()

    submitting = asyncio.create_task(reporter.choose("confirm:submit"))
    await asyncio.sleep(0)  # the turn has begun
    stop.set()
    await asyncio.wait_for(server, 30)

    assert submitting.done()
    receipt_of(reporter)  # the reporter got code and secret
    assert desk.delivered == [TICKET_NEW]  # the team heard of it before the channel closed
    assert desk.stopped
