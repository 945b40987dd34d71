"""Privacy scan after a full WhatsApp + Telegram run in process: the database file, the data
directory and every log line hold no report text, receipt secret, platform id or phone number.
(The crash test scans the same for `wbs run` as a subprocess, on both databases.)"""

from __future__ import annotations

import asyncio
import json
import logging

import aiohttp
import pytest

from bot.app import App, setup_logging
from bot.channels.telegram.channel import TelegramChannel
from bot.channels.whatsapp.channel import WhatsAppChannel
from bot.channels.whatsapp.receive import SIGNATURE_HEADER, sign
from tests.channels.whatsapp_harness import APP_SECRET
from tests.fakes.bot_api import FakeBotApi
from tests.fakes.bot_api_chat import serving
from tests.fakes.graph_api import FakeGraphAPI, Sender, messages_from
from tests.reliability.chaos import words
from tests.reliability.webchat import WALK, receipt_of, walk_all

PHONE = "6281377775123"
BSUID = "ID.1410018717833190"
TELEGRAM_CHAT = 5_301_234_567
CHRONOLOGY = "Petugas imigrasi qwzrtplkmvbx meminta uang, nomor saya 0813-7777-5123"


async def whatsapp_walk(app: App, graph: FakeGraphAPI) -> dict[str, str]:
    """A WhatsApp reporter files a complaint (with a phone number in it) and checks it."""
    sender = Sender(wa_id=PHONE, user_id=BSUID)
    receipt: dict[str, str] = {}
    url = app.settings.web.public_url + app.settings.whatsapp.webhook_path
    async with aiohttp.ClientSession() as http:
        for kind, value, expected in WALK:
            text = CHRONOLOGY if expected == "complaint.ask.who" else value.format(**receipt)
            steps = [sender.button_reply(value) if kind == "press" else sender.text(text)]
            if text == CHRONOLOGY:
                steps.append(sender.button_reply("nav:keep"))  # keep it despite the warning
            for message in steps:
                seen = len(graph.texts())
                raw = json.dumps(messages_from(sender, message)).encode()
                headers = {SIGNATURE_HEADER: sign(APP_SECRET, raw), "Content-Type": "application/json"}
                async with http.post(url, data=raw, headers=headers) as resp:
                    assert resp.status == 200
                async with asyncio.timeout(15):
                    while not graph.texts()[seen:]:
                        await asyncio.sleep(0.02)
            await asyncio.sleep(0.05)
            assert any(words(expected) in t for t in graph.texts()[-3:]), expected
            if expected == "receipt.issued":
                await asyncio.sleep(0.1)
                receipt = receipt_of(graph.texts()[-3:])
    return receipt


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
async def test_after_a_full_run_no_content_ids_phones_or_secrets_are_on_disk_or_in_logs(
        app: App, api: FakeBotApi, graph: FakeGraphAPI, caplog: pytest.LogCaptureFixture):
    # as `wbs run` does (libraries that log payloads are quieted), at the most talkative level
    setup_logging(app.settings.replace(runtime={"log_level": "DEBUG"}))
    caplog.set_level(logging.DEBUG)
    async with serving(app, [WhatsAppChannel(app), TelegramChannel(app)], api):
        wa_receipt = await whatsapp_walk(app, graph)

        async def deliver(updates):
            for _, update in updates:
                assert await api.deliver(update) == 200

        tg_receipts = await walk_all(api, [TELEGRAM_CHAT], deliver)
    await app.close()

    needles = {"report text": b"qwzrtplkmvbx", "phone": PHONE.encode(), "phone typed": b"7777-5123",
               "local phone": b"081377775123", "bsuid": BSUID.encode(),
               "telegram chat": str(TELEGRAM_CHAT).encode(),
               "whatsapp secret": wa_receipt["secret"].encode(),
               "telegram secret": tg_receipts[TELEGRAM_CHAT]["secret"].encode(),
               "follow-up text": b"Ada saksi lain"}
    files = {str(p): p.read_bytes() for p in app.settings.storage.data_dir.rglob("*") if p.is_file()}
    assert any(name.endswith("wbs.db") for name in files)
    files["logs"] = "\n".join(f"{r.name}: {r.getMessage()} {r.exc_text or ''}"
                              for r in caplog.records).encode()
    assert len(caplog.records) > 20  # debug logging really ran
    leaks = [f"{what} in {where}" for what, needle in needles.items()
             for where, data in files.items() if needle in data]
    bad = [f"{r.name}: {r.getMessage()[:300]}" for r in caplog.records
           if any(n.decode() in f"{r.getMessage()} {r.exc_text or ''}" for n in needles.values())]
    assert leaks == [], bad[:5]
