"""The real WhatsApp webhook on loopback, wired to the app and the fake Graph API."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr
from sqlalchemy import select

from bot.app import App
from bot.channels.whatsapp.channel import WhatsAppChannel
from bot.outbox_sender import OutboxSender
from bot.settings import Settings
from bot.web import build_web_app
from storage.models import InboxItem, OutboxItem
from tests.fakes.graph_api import FakeGraphAPI, signed

APP_SECRET = "whatsapp-app-secret-for-tests"
VERIFY_TOKEN = "whatsapp-verify-token"
PATH = "/whatsapp/webhook"


def whatsapp_settings(settings: Settings, graph: FakeGraphAPI) -> Settings:
    """Test settings pointing the channel at the fake Graph API."""
    return settings.replace(whatsapp={
        "token": SecretStr(graph.token),
        "phone_number_id": graph.phone_number_id,
        "app_secret": SecretStr(APP_SECRET),
        "verify_token": SecretStr(VERIFY_TOKEN),
        "api_url": graph.api_url,
        "update_template": "wbs_pembaruan",
        "update_template_language": "id",
    })


class Clock:
    """The app's clock, moved by tests (the 24-hour window)."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        """Move time forward."""
        self.now += timedelta(**delta)


@dataclass
class Harness:
    """The channel behind the real aiohttp web app, plus the outbox sender."""

    app: App
    graph: FakeGraphAPI
    channel: WhatsAppChannel
    client: TestClient
    sender: OutboxSender
    clock: Clock

    async def post(self, payload: dict[str, Any], *, secret: str = APP_SECRET,
                   headers: dict[str, str] | None = None) -> int:
        """POST a signed webhook body and wait until its messages are handled."""
        raw, signed_headers = signed(payload, secret)
        resp = await self.client.post(PATH, data=raw, headers=headers or signed_headers)
        await self.channel.idle()
        return resp.status

    async def post_raw(self, raw: bytes, headers: dict[str, str]) -> int:
        """POST arbitrary bytes with arbitrary headers."""
        resp = await self.client.post(PATH, data=raw, headers=headers)
        await self.channel.idle()
        return resp.status

    async def flush(self) -> int:
        """One round of the outbox sender for the whatsapp channel."""
        return await self.sender.flush()

    async def count(self, model: Any, **where: Any) -> int:
        """Rows of a table matching simple equality filters."""
        async def run(session: Any) -> int:
            query = select(model)
            for key, value in where.items():
                query = query.where(getattr(model, key) == value)
            return len((await session.execute(query)).scalars().all())

        return await self.app.db.read(run)

    async def inbox_rows(self) -> int:
        """How many updates the inbox holds."""
        return await self.count(InboxItem)

    async def outbox_pending(self) -> list[OutboxItem]:
        """Undelivered outbox rows of the whatsapp channel."""
        async def run(session: Any) -> list[OutboxItem]:
            query = select(OutboxItem).where(OutboxItem.channel == "whatsapp",
                                             OutboxItem.delivered_at.is_(None))
            return list((await session.execute(query)).scalars().all())

        return await self.app.db.read(run)


@contextlib.asynccontextmanager
async def running(app: App, graph: FakeGraphAPI) -> AsyncIterator[Harness]:
    """Start the channel and its web app on loopback; stop both afterwards."""
    clock = Clock(app.services.clock())
    app.services.clock = clock
    channel = WhatsAppChannel(app)
    client = TestClient(TestServer(build_web_app(app, [channel]), host="127.0.0.1"))
    await client.start_server()
    sender = OutboxSender(app, {"whatsapp": channel.deliver})
    await channel.start()
    try:
        yield Harness(app, graph, channel, client, sender, clock)
    finally:
        await channel.stop()
        await client.close()


# Fixtures graph / settings / wa: test modules import these three functions.
@pytest.fixture(name="graph")
async def graph_fixture() -> AsyncIterator[FakeGraphAPI]:
    """The fake Graph API on loopback."""
    server = await FakeGraphAPI().start()
    yield server
    await server.close()


@pytest.fixture(name="settings")
def settings_fixture(settings: Settings, graph: FakeGraphAPI) -> Settings:
    """The shared test settings plus WhatsApp credentials pointing at the fake."""
    return whatsapp_settings(settings, graph)


@pytest.fixture(name="wa")
async def wa_fixture(app: App, graph: FakeGraphAPI) -> AsyncIterator[Harness]:
    """The running channel."""
    async with running(app, graph) as harness:
        yield harness
