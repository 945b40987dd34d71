"""Fuzzing every HTTP endpoint: arbitrary bytes, JSON and update-shaped bodies with valid
authentication never get a 500, never log an unexpected error, and a bogus button press is
always answered in the reporter's language."""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
from typing import Any

import aiohttp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import App
from bot.channels.telegram.channel import SECRET_HEADER
from bot.channels.whatsapp.receive import SIGNATURE_HEADER, sign
from handlers import i18n
from tests.channels.whatsapp_harness import APP_SECRET
from tests.fakes.bot_api import FakeBotApi
from tests.fakes.graph_api import FakeGraphAPI, Sender, messages_from

FUZZ = settings(max_examples=40, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
_ids = itertools.count(1)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner,
                                                                  max_size=4),
    max_leaves=12)
texts = st.text(max_size=200) | st.sampled_from(["\x00", "🙂" * 3000, "/start", "/hapus", "x" * 5000])


def telegram_update(text: str, data: str, chat: Any, shape: int, extra: Any) -> dict[str, Any]:
    """An update that is Telegram-shaped in parts, with fuzzed fields."""
    update_id = next(_ids)
    message = {"message_id": update_id, "date": 0, "chat": {"id": chat, "type": "private"},
               "from": {"id": chat, "is_bot": False, "first_name": "F"}, "text": text}
    variants = [
        {"update_id": update_id, "message": message},
        {"update_id": update_id, "callback_query": {
            "id": str(update_id), "chat_instance": "1", "data": data,
            "from": {"id": chat, "is_bot": False, "first_name": "F"}, "message": message}},
        {"update_id": update_id, "message": {**message, "chat": extra}},
        {"update_id": update_id, "edited_message": message, "message": extra},
        {"update_id": update_id, "callback_query": extra},
    ]
    return variants[shape % len(variants)]


bodies = st.one_of(
    st.binary(max_size=300),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.builds(telegram_update, texts, st.text(max_size=80),
              st.integers(-(2**40), 2**40) | st.text(max_size=5), st.integers(0, 10),
              json_values).map(lambda u: json.dumps(u).encode()),
)


@FUZZ
@given(body=bodies, target=st.sampled_from(["telegram", "whatsapp", "healthz", "readyz", "metrics"]))
async def test_any_body_to_any_endpoint_is_never_a_server_error(
        app: App, both: str, caplog: pytest.LogCaptureFixture, body: bytes, target: str):
    caplog.set_level(logging.ERROR)
    s = app.settings
    path, headers = {
        "telegram": (s.telegram.webhook_path(), {SECRET_HEADER: s.telegram.secret()}),
        "whatsapp": (s.whatsapp.webhook_path, {SIGNATURE_HEADER: sign(APP_SECRET, body)}),
        "healthz": ("/healthz", {}), "readyz": ("/readyz", {}), "metrics": ("/metrics", {}),
    }[target]
    # readiness may say 503 (test databases are created from the models, not migrated)
    allowed = {503} if target == "readyz" else set()
    async with aiohttp.ClientSession() as http:
        for method in ("POST", "GET"):
            async with http.request(method, both + path, data=body, headers=headers) as resp:
                assert resp.status < 500 or resp.status in allowed
    await asyncio.sleep(0.01)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


@FUZZ
@given(data=st.text(min_size=1, max_size=64).filter(lambda d: not d.startswith("tg:")),
       lang=st.sampled_from(["id", "en"]))
async def test_a_bogus_button_press_is_answered_in_the_reporters_language(
        app: App, api: FakeBotApi, both: str, data: str, lang: str):
    chat = 6_000_000 + next(_ids)
    assert await api.deliver(api.text_message(chat, "/start", language_code=lang)) == 200
    menu = await api.wait_until(lambda: [c for c in api.calls_to("sendMessage")
                                         if c.params["chat_id"] == chat])
    keyboard = next(m for m in reversed(api.live_messages(chat)) if m.get("reply_markup"))
    offered = {b["callback_data"] for row in keyboard["reply_markup"]["inline_keyboard"]
               for b in row}
    press = api.callback_query(chat, data, message_id=keyboard["message_id"], language_code=lang)
    answered = len(api.calls_to("answerCallbackQuery"))
    assert await api.deliver(press) == 200

    await api.wait_until(lambda: len(api.calls_to("answerCallbackQuery")) > answered
                         or len([c for c in api.calls_to("sendMessage")
                                 if c.params["chat_id"] == chat]) > len(menu))
    if data not in offered:
        answer = api.calls_to("answerCallbackQuery")[-1].params
        assert answer.get("text") == i18n.t(lang, "telegram.button.stale")


async def test_whatsapp_text_reaches_the_engine_through_the_fuzzed_app(
        graph: FakeGraphAPI, both: str, app: App):
    raw = json.dumps(messages_from(Sender(), Sender().text("/start"))).encode()
    headers = {SIGNATURE_HEADER: sign(APP_SECRET, raw), "Content-Type": "application/json"}
    async with aiohttp.ClientSession() as http, http.post(
            both + app.settings.whatsapp.webhook_path, data=raw, headers=headers) as resp:
        assert resp.status == 200
    await asyncio.sleep(0.5)
    assert graph.texts()
