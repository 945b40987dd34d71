"""/healthz, /readyz on the webhook port and /metrics on the operator's: they answer over real HTTP, readiness
follows the migrations, and metrics never carry codes, ids or text after a full complaint."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import App, build_app
from bot.channels.base import Delivery
from bot.outbox_sender import OutboxSender
from bot.settings import Settings
from bot.web import build_metrics_app, build_web_app
from storage import migrations, tickets
from storage.crypto import Keyring
from tests.handlers.test_complaint_flow import CHRONOLOGY, receipt_of, walk_to_summary
from tests.support.reporter import Reporter


@pytest.fixture
async def migrated(settings: Settings) -> AsyncIterator[App]:
    """An app whose database was built by the migrations (as in production)."""
    app = await build_app(settings, ring=Keyring.generate(), migrate=True)
    yield app
    await app.close()


@pytest.fixture
async def client(migrated: App) -> AsyncIterator[TestClient]:
    """HTTP client talking to the app's route table on a loopback port."""
    async with TestClient(TestServer(build_web_app(migrated, []))) as http:
        yield http


@pytest.fixture
async def metrics_client(migrated: App) -> AsyncIterator[TestClient]:
    """HTTP client talking to the operator's listener (/metrics) on a loopback port."""
    async with TestClient(TestServer(build_metrics_app(migrated))) as http:
        yield http


async def test_liveness_and_readiness_answer(client: TestClient):
    assert (await client.get("/healthz")).status == 200
    ready = await client.get("/readyz")
    assert ready.status == 200
    assert (await ready.json())["status"] == "ready"


async def test_readiness_fails_while_migrations_are_pending(migrated: App, client: TestClient):
    await migrations.downgrade(migrated.db.engine, "base")
    ready = await client.get("/readyz")
    assert ready.status == 503
    assert (await ready.json())["status"] == "migrations pending"
    await migrations.upgrade(migrated.db.engine)
    assert (await client.get("/readyz")).status == 200


async def test_metrics_count_a_complaint_without_codes_ids_or_text(migrated: App,
                                                                   metrics_client: TestClient):
    client = metrics_client
    handle = "6281234567890"
    r = Reporter(migrated.engine, handle=handle)
    await walk_to_summary(r)
    await r.choose("confirm:submit")
    code, secret = receipt_of(r)
    before = await (await client.get("/metrics")).text()
    assert 'wbs_outbox_backlog{channel="team"} 1.0' in before  # the new-report notice

    async def deliver_to_team(_message) -> Delivery:
        return Delivery.sent()

    assert await OutboxSender(migrated, {"team": deliver_to_team}).flush() == 1
    response = await client.get("/metrics")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    body = await response.text()

    assert 'wbs_updates_total{channel="console"}' in body
    assert 'wbs_turn_seconds_bucket{channel="console",le="0.5"}' in body
    assert 'wbs_flow_steps_total{flow="complaint",step="chronology"} 1.0' in body
    assert 'wbs_outbox_deliveries_total{channel="team",result="sent"} 1.0' in body
    assert 'wbs_outbox_backlog{channel="team"} 1.0' not in body
    ticket = await migrated.db.read(lambda s: tickets.find_ticket(session=s, code=code))
    forbidden = [code, code.split("-", 1)[1], secret, handle, r.digest,
                 ticket.id, ticket.data_key_id, CHRONOLOGY[:20], "Loket paspor", "500000"]
    for text in (before, body):
        for needle in forbidden:
            assert not leaks(needle, text), needle


def leaks(needle: str, text: str) -> bool:
    """Whether `needle` occurs in `text`; a number only counts on its own, not as the digits
    of a float such as a latency of 2.0065000001e-05 seconds."""
    if not needle.isdigit():
        return needle in text
    return re.search(rf"(?<![\d.]){needle}(?!\d)", text) is not None


def test_metric_labels_refuse_anything_that_looks_like_an_id_or_text():
    from bot.metrics import label  # noqa: PLC0415

    assert [label(v) for v in ("complaint", "chronology", "__confirm", "telegram", None)] == [
        "complaint", "chronology", "__confirm", "telegram", "none"]
    for value in ("WBS-7K3M-Q9XD", "a3f1c9e0b2d4" * 5, "6281234567890", "tolong saya",
                  "uang pelicin 500rb", "k" * 40):
        assert label(value) == "other", value
