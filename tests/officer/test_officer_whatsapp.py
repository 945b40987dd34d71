"""WhatsApp reporters are worked from the same Telegram group: the officer's reply goes out on
WhatsApp inside the 24-hour window, and only a content-free template outside it."""

from __future__ import annotations

from bot.app import App
from handlers.engine.types import ChannelKind
from tests.channels.whatsapp_harness import (  # noqa: F401 - the fixtures graph, settings, wa
    Harness,
    graph_fixture,
    settings_fixture,
    wa_fixture,
)
from tests.fakes.bot_api import FakeBotApi
from tests.fakes.graph_api import FakeGraphAPI, Sender, messages_from
from tests.handlers.test_complaint_flow import receipt_of, walk_to_summary
from tests.officer.conftest import OFFICERS, bot_says, officer_says, running_desk, topic_of
from tests.support.reporter import Reporter


async def whatsapp_ticket(app: App, wa: Harness, api: FakeBotApi) -> tuple[str, int]:
    """A WhatsApp user writes (opening the 24-hour window) and files a complaint."""
    sender = Sender()
    assert await wa.post(messages_from(sender, sender.text("halo"))) == 200
    reporter = Reporter(app.engine, channel=ChannelKind.WHATSAPP, handle=str(sender.user_id))
    await walk_to_summary(reporter)
    await reporter.choose("confirm:submit")
    code, _ = receipt_of(reporter)
    return code, await topic_of(api, code)


async def test_officer_reply_reaches_a_whatsapp_reporter_inside_the_window(
        app: App, api: FakeBotApi, graph: FakeGraphAPI, wa: Harness):
    async with running_desk(app, api):
        code, thread = await whatsapp_ticket(app, wa, api)
        assert "WhatsApp" in await bot_says(api, OFFICERS, code, thread)
        officer_says(api, "Mohon kirim nomor antrean Anda.", thread=thread)
        await bot_says(api, OFFICERS, "Balasan dikirim", thread)
        await wa.flush()

    sent = [t for t in graph.texts() if "nomor antrean" in t]
    assert len(sent) == 1
    assert sent[0].startswith("Petugas UPG")
    assert "Budi" not in sent[0]


async def test_outside_the_window_the_whatsapp_reporter_gets_only_a_template(
        app: App, api: FakeBotApi, graph: FakeGraphAPI, wa: Harness):
    async with running_desk(app, api):
        code, thread = await whatsapp_ticket(app, wa, api)
        wa.clock.advance(hours=25)
        officer_says(api, "Mohon kirim nomor antrean Anda.", thread=thread)
        await bot_says(api, OFFICERS, "Balasan dikirim", thread)
        await wa.flush()

    assert [m for m in graph.sent if m["type"] == "template"]
    assert all("nomor antrean" not in t for t in graph.texts())
