"""A lean fake Telegram Bot API for load: answers every method a bot sends in a few
microseconds, keeps no history, and tells a listener when a chat receives a message.

The feature-complete fake in tests/fakes/bot_api.py keeps every message of both sides for
assertions; under 200 reporters that bookkeeping would run in the same process as the load
driver and distort its clock, so the bench has this one. Both speak Telegram's wire format.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

TOKEN = "987654321:BenchFakeTokenOnlyForLoopback_abcdefg"
CONTENT_METHODS = frozenset({"sendMessage", "editMessageText", "sendPhoto", "sendDocument",
                             "copyMessage"})


@dataclass(frozen=True, slots=True)
class Reply:
    """A message the bot sent to a chat: when it arrived, its text and keyboard."""

    at: float
    method: str
    text: str
    message_id: int
    callback_data: tuple[str, ...]


@dataclass
class Counters:
    """Calls per method and how many were answered with 429."""

    calls: dict[str, int] = field(default_factory=dict)
    rate_limited: int = 0


def keyboard_data(markup: Any) -> tuple[str, ...]:
    """The callback data of every button in an inline keyboard (JSON or dict)."""
    if isinstance(markup, str):
        try:
            markup = json.loads(markup)
        except ValueError:
            return ()
    if not isinstance(markup, dict):
        return ()
    rows = markup.get("inline_keyboard") or []
    return tuple(b["callback_data"] for row in rows for b in row if "callback_data" in b)


class BenchBotApi:
    """The server. `on_reply(chat_id, Reply)` is called for every content message."""

    def __init__(self, *, token: str = TOKEN,
                 on_reply: Callable[[int, Reply], None] | None = None) -> None:
        self.token = token
        self.bot_id = int(token.split(":", maxsplit=1)[0])
        self.on_reply = on_reply or (lambda _chat, _reply: None)
        self.webhook: dict[str, Any] | None = None
        self.webhook_set = asyncio.Event()
        self.counters = Counters()
        self.rate_share = 0.0
        self.retry_after = 1
        self._rng = random.Random(0)
        self._message_ids = itertools.count(1_000_000)
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        """For PTB's base_url / WBS_TELEGRAM_API_URL."""
        return f"http://127.0.0.1:{self.port}/bot"

    def rate_limit_share(self, share: float, *, retry_after: int = 1, seed: int = 0) -> None:
        """Answer a random `share` of sendMessage calls with 429 and `retry_after`."""
        self.rate_share, self.retry_after, self._rng = share, retry_after, random.Random(seed)

    async def start(self, port: int = 0) -> BenchBotApi:
        """Listen on 127.0.0.1 (a free port unless given)."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._api)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", port).start()
        self.port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner:
            await self._runner.cleanup()

    async def __aenter__(self) -> BenchBotApi:
        return await self.start()

    async def __aexit__(self, *_exc: object) -> None:
        await self.stop()

    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.match_info["method"]
        params = await _params(request)
        self.counters.calls[method] = self.counters.calls.get(method, 0) + 1
        if method == "sendMessage" and self.rate_share and self._rng.random() < self.rate_share:
            self.counters.rate_limited += 1
            return _error(429, f"Too Many Requests: retry after {self.retry_after}",
                          {"retry_after": self.retry_after})
        return web.json_response({"ok": True, "result": self._answer(method, params)})

    def webhook_answer(self, body: bytes) -> None:
        """A method in a webhook's answer is a call Telegram makes on the bot's behalf."""
        if body.startswith(b"{"):
            params = json.loads(body)
            method = params.pop("method", None)
            if isinstance(method, str):
                self.counters.calls[method] = self.counters.calls.get(method, 0) + 1
                self._answer(method, params)

    def _answer(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return {"id": self.bot_id, "is_bot": True, "first_name": "Bench",
                    "username": "bench_bot", "can_join_groups": False}
        if method == "setWebhook":
            self.webhook = params
            self.webhook_set.set()
            return True
        if method == "deleteWebhook":
            self.webhook = None
            return True
        if method == "getWebhookInfo":
            return {"url": (self.webhook or {}).get("url", ""), "has_custom_certificate": False,
                    "pending_update_count": 0}
        if method == "getUpdates":
            return []
        if method in CONTENT_METHODS:
            return self._message(method, params)
        return True

    def _message(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        now = time.monotonic()
        try:
            chat_id = int(params.get("chat_id") or 0)
        except ValueError:
            chat_id = 0
        message_id = (int(params["message_id"]) if method == "editMessageText"
                      and str(params.get("message_id", "")).isdigit() else next(self._message_ids))
        text = str(params.get("text") or params.get("caption") or "")
        self.on_reply(chat_id, Reply(now, method, text, message_id,
                                     keyboard_data(params.get("reply_markup"))))
        message: dict[str, Any] = {
            "message_id": message_id, "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
            "from": {"id": self.bot_id, "is_bot": True, "first_name": "Bench"},
        }
        if text:
            message["text"] = text
        if params.get("reply_markup"):
            markup = params["reply_markup"]
            message["reply_markup"] = json.loads(markup) if isinstance(markup, str) else markup
        return message


def _error(status: int, description: str, parameters: dict[str, Any] | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=status)


async def _params(request: web.Request) -> dict[str, Any]:
    """Query, form or JSON parameters (files are read and dropped)."""
    params: dict[str, Any] = dict(request.query)
    if request.content_type == "application/json":
        body = await request.json()
        if isinstance(body, dict):
            params.update(body)
    elif request.method == "POST" and request.can_read_body:
        for name, value in (await request.post()).items():
            if isinstance(value, str):
                params[name] = value
    return params
