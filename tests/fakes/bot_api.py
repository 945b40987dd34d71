"""A fake Telegram Bot API server on loopback that the real python-telegram-bot talks to.

Start it, point PTB at it, drive it like a user, and read what the bot did::

    async with FakeBotApi() as api:                    # 127.0.0.1, random port
        bot = Bot(api.token, base_url=api.base_url, base_file_url=api.base_file_url)
        api.push(api.text_message(42, "/start"))       # queued for getUpdates (long poll)
        await api.wait_until(lambda: api.sent_texts(42))
        api.push(api.press(42, "Pungli"))              # press a button the bot showed
        api.push(api.photo_message(42, jpeg_bytes))    # a photo the bot can getFile + download
        status = await api.deliver(update)             # or POST it to the bot's webhook

What it serves (wire format as Telegram's; anything else is answered 404 *and* fails the test
when the context exits, see `unknown_methods`): getMe, getUpdates (long poll; updates stay
until acknowledged by `offset`; 409 while a webhook is set), setWebhook (secret_token
validated), deleteWebhook, getWebhookInfo, sendMessage (text 1..4096 chars, callback_data
<= 64 bytes), editMessageText, editMessageReplyMarkup, editMessageCaption ("message is not
modified" / "not found" like Telegram), answerCallbackQuery, deleteMessage, deleteMessages
(1..100 ids), sendPhoto, sendDocument, sendVoice (uploads or file_id), copyMessage,
sendChatAction, getFile (20 MB limit) and `/file/bot<token>/<path>`, set/get/deleteMyCommands,
getChat, create/edit/close/reopen/deleteForumTopic. `register(method, fn)` adds more.

Recording: `calls` holds every call as `Call(method, params, files, status)` (params decoded:
ids as int, JSON fields as objects); `calls_to(*methods)` the successful ones;
`sent_texts(chat)`; `live_messages(chat)` what the chat shows now (both sides, minus
deletions); `commands`, `webhook`, `topics`, `answered_callbacks`.

Factories (return update dicts; `push` queues one for getUpdates, `deliver` posts it to the
webhook): `text_message` (commands get their entity), `press` (by button label or data,
newest message first, or a given old `message_id`), `callback_query`, `photo_message`,
`document_message`, `voice_message`, `user_message` (any content); private chats by default,
a negative `chat_id` is a supergroup (pass `user_id`, optionally `message_thread_id`).

Faults: `rate_limit_next(n, retry_after)` answers the next n send calls with 429 and
`parameters.retry_after`; `rate_limit_share(share, retry_after, seed)` does so for a share
of them; `delay(seconds, methods)` answers late (transport timeouts).
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from tests.fakes.bot_api_messages import ApiError, MessageStore, Upload

TOKEN = "123456789:AAFakeTokenForTestsOnly_abcdefghijklm"
SEND_METHODS = frozenset(
    {"sendMessage", "sendPhoto", "sendDocument", "sendVoice", "copyMessage", "editMessageText"}
)
_INT_KEYS = frozenset(
    {
        "chat_id",
        "from_chat_id",
        "message_id",
        "message_thread_id",
        "offset",
        "limit",
        "timeout",
        "user_id",
        "cache_time",
        "icon_color",
        "max_connections",
        "duration",
    }
)
_BOOL_KEYS = frozenset(
    {"show_alert", "drop_pending_updates", "disable_notification", "protect_content"}
)
_JSON_KEYS = frozenset(
    {
        "reply_markup",
        "message_ids",
        "allowed_updates",
        "commands",
        "scope",
        "entities",
        "caption_entities",
        "link_preview_options",
        "reply_parameters",
        "media",
    }
)
_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")
Handler = Callable[[dict[str, Any], dict[str, Upload]], Any]


@dataclass
class Call:
    """One request the bot made: method, decoded params, uploaded files, HTTP status."""

    method: str
    params: dict[str, Any]
    files: dict[str, Upload] = field(default_factory=dict)
    status: int = 200
    in_webhook_answer: bool = False  # made by answering the webhook, not by a request


@dataclass
class _Faults:
    rate_limited_left: int = 0
    rate_share: float = 0.0
    retry_after: int = 1
    methods: frozenset[str] = SEND_METHODS
    delay: float = 0.0
    delay_methods: frozenset[str] = frozenset()
    rng: random.Random = field(default_factory=lambda: random.Random(0))


class FakeBotApi(MessageStore):
    """The server; see the module docstring for the API."""

    def __init__(self, *, token: str = TOKEN, bot_username: str = "wbs_test_bot") -> None:
        super().__init__(bot_id=int(token.split(":", maxsplit=1)[0]), bot_username=bot_username)
        self.token = token
        self.calls: list[Call] = []
        self.unknown_methods: list[str] = []
        self.webhook: dict[str, Any] | None = None
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._pending: list[dict[str, Any]] = []
        self._faults = _Faults()
        self._changed = asyncio.Condition()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._client: aiohttp.ClientSession | None = None
        self.port = 0
        self._handlers: dict[str, Handler] = {
            "getMe": lambda p, f: self.bot_user | {"can_join_groups": True},
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._webhook_info,
            "setMyCommands": self._set_commands,
            "getMyCommands": lambda p, f: self.commands.get(_commands_key(p), []),
            "deleteMyCommands": lambda p, f: bool(self.commands.pop(_commands_key(p), True)),
            "sendChatAction": lambda p, f: True,
            **self.message_handlers(),
        }

    # -- lifecycle -------------------------------------------------------------------------
    async def start(self) -> FakeBotApi:
        """Listen on 127.0.0.1 at a random free port."""
        app = web.Application(client_max_size=100 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        self._client = aiohttp.ClientSession()
        return self

    async def stop(self) -> None:
        """Release long polls and stop listening."""
        self._closing = True
        await self._notify()
        if self._client:
            await self._client.close()
        if self._runner:
            await self._runner.cleanup()

    async def __aenter__(self) -> FakeBotApi:
        return await self.start()

    async def __aexit__(self, exc_type: object, exc: object, tb: object) -> None:
        await self.stop()
        if exc_type is None:
            self.check()

    def check(self) -> None:
        """Fail the test if the bot called a method this fake does not know."""
        assert not self.unknown_methods, f"unknown Bot API methods: {self.unknown_methods}"

    @property
    def base_url(self) -> str:
        """For `Bot(base_url=...)` / `WBS_TELEGRAM_API_URL` (PTB appends the token)."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """For `Bot(base_file_url=...)`."""
        return f"http://127.0.0.1:{self.port}/file/bot"

    def register(self, method: str, handler: Handler) -> None:
        """Serve another method: `handler(params, files)` returns `result` or raises ApiError."""
        self._handlers[method] = handler

    # -- recording ---------------------------------------------------------------------------
    def calls_to(self, *methods: str) -> list[Call]:
        """Successful calls to any of `methods`, in order."""
        return [c for c in self.calls if c.method in methods and c.status == 200]

    def sent_texts(self, chat_id: int) -> list[str]:
        """Texts of sendMessage/editMessageText calls that reached `chat_id`, in order."""
        return [
            c.params["text"]
            for c in self.calls_to("sendMessage", "editMessageText")
            if c.params.get("chat_id") == chat_id
        ]

    async def wait_until(self, predicate: Callable[[], Any], timeout: float = 10.0) -> Any:
        """Wait (bounded) until `predicate()` is truthy after some call; return its value."""
        async with asyncio.timeout(timeout), self._changed:
            return await self._changed.wait_for(predicate)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # -- updates -----------------------------------------------------------------------------
    def push(self, *updates: dict[str, Any]) -> None:
        """Queue updates for getUpdates."""
        self._pending.extend(updates)
        asyncio.get_running_loop().create_task(self._notify())

    async def deliver(
        self, update: dict[str, Any] | bytes, *, secret: str | None = "configured"
    ) -> int:
        """POST an update to the bot's webhook (configured secret unless given); the status."""
        assert self.webhook, "setWebhook was not called"
        assert self._client
        token = self.webhook.get("secret_token") if secret == "configured" else secret
        headers = {"X-Telegram-Bot-Api-Secret-Token": token} if token else {}
        body = update if isinstance(update, bytes) else json.dumps(update).encode()
        headers["Content-Type"] = "application/json"
        async with self._client.post(self.webhook["url"], data=body, headers=headers) as resp:
            answer = await resp.read()
        if resp.status == 200 and answer.startswith(b"{"):  # noqa: PLR2004
            # a method in the webhook's answer is a call Telegram makes (result unknown to it)
            params = json.loads(answer)
            method = params.pop("method", None)
            if isinstance(method, str):
                await self._run(method, params, {}, in_webhook_answer=True)
        return resp.status

    async def _get_updates(self, params: dict[str, Any], files: dict[str, Upload]) -> Any:
        if self.webhook:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active")
        offset = params.get("offset") or 0
        self._pending = [u for u in self._pending if u["update_id"] >= offset]
        deadline = time.monotonic() + float(params.get("timeout") or 0)
        while not self._pending and not self._closing and time.monotonic() < deadline:
            async with self._changed:
                try:
                    async with asyncio.timeout(deadline - time.monotonic()):
                        await self._changed.wait()
                except TimeoutError:
                    break
        return self._pending[: params.get("limit") or 100]

    # -- faults ------------------------------------------------------------------------------
    def rate_limit_next(
        self, n: int, *, retry_after: int = 1, methods: Iterable[str] = SEND_METHODS
    ) -> None:
        """Answer the next `n` calls to `methods` with 429 Too Many Requests."""
        self._faults.rate_limited_left = n
        self._faults.retry_after, self._faults.methods = retry_after, frozenset(methods)

    def rate_limit_share(
        self,
        share: float,
        *,
        retry_after: int = 1,
        seed: int = 0,
        methods: Iterable[str] = SEND_METHODS,
    ) -> None:
        """Answer a random `share` (0..1, seeded) of calls to `methods` with 429."""
        self._faults.rate_share, self._faults.rng = share, random.Random(seed)
        self._faults.retry_after, self._faults.methods = retry_after, frozenset(methods)

    def delay(self, seconds: float, methods: Iterable[str]) -> None:
        """Answer calls to `methods` only after `seconds` (0 turns it off)."""
        self._faults.delay, self._faults.delay_methods = seconds, frozenset(methods)

    def _inject_fault(self, method: str) -> None:
        f = self._faults
        if method not in f.methods:
            return
        if f.rate_limited_left > 0 or (f.rate_share and f.rng.random() < f.rate_share):
            f.rate_limited_left = max(0, f.rate_limited_left - 1)
            raise ApiError(
                429, f"Too Many Requests: retry after {f.retry_after}", retry_after=f.retry_after
            )

    # -- HTTP --------------------------------------------------------------------------------
    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        params, files = await _read_params(request)
        status, result = await self._run(method, params, files)
        if status != 200:  # noqa: PLR2004
            return _error(status, result["description"], result.get("parameters"))
        return web.json_response({"ok": True, "result": result})

    async def _run(self, method: str, params: dict[str, Any], files: dict[str, Upload], *,
                   in_webhook_answer: bool = False) -> tuple[int, Any]:
        """Record and perform one call: (HTTP status, result or error fields)."""
        call = Call(method, params, files, in_webhook_answer=in_webhook_answer)
        self.calls.append(call)
        await self._notify()
        try:
            if method == "getUpdates":
                result = await self._get_updates(params, files)
            elif method not in self._handlers:
                self.unknown_methods.append(method)
                raise ApiError(404, "Not Found: method not found")
            else:
                if method in self._faults.delay_methods:
                    await asyncio.sleep(self._faults.delay)
                self._inject_fault(method)
                result = self._handlers[method](params, files)
        except ApiError as exc:
            call.status = exc.status
            await self._notify()
            return exc.status, {"description": exc.description, "parameters": exc.parameters}
        await self._notify()
        return 200, result

    async def _download(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        upload = self.file_by_path(request.match_info["path"])
        if upload is None:
            return _error(404, "Not Found")
        return web.Response(body=upload.data, content_type="application/octet-stream")

    # -- webhook and commands -----------------------------------------------------------------
    def _set_webhook(self, params: dict[str, Any], files: dict[str, Upload]) -> bool:
        secret = params.get("secret_token")
        if secret is not None and not _SECRET_RE.fullmatch(secret):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        if params.get("drop_pending_updates"):
            self._pending.clear()
        self.webhook = params
        return True

    def _delete_webhook(self, params: dict[str, Any], files: dict[str, Upload]) -> bool:
        if params.get("drop_pending_updates"):
            self._pending.clear()
        self.webhook = None
        return True

    def _webhook_info(self, params: dict[str, Any], files: dict[str, Upload]) -> dict[str, Any]:
        url = self.webhook["url"] if self.webhook else ""
        return {
            "url": url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }

    def _set_commands(self, params: dict[str, Any], files: dict[str, Upload]) -> bool:
        self.commands[_commands_key(params)] = params["commands"]
        return True


def _commands_key(params: dict[str, Any]) -> tuple[str, str]:
    scope = params.get("scope") or {"type": "default"}
    return scope["type"], params.get("language_code") or ""


def _error(status: int, description: str, parameters: dict[str, Any] | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=status)


async def _read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, Upload]]:
    """Decode query, urlencoded, multipart or JSON params the way Telegram reads them."""
    raw: dict[str, Any] = dict(request.query)
    files: dict[str, Upload] = {}
    if request.content_type == "application/json":
        raw.update(await request.json())
    elif request.method == "POST":
        for name, value in (await request.post()).items():
            if isinstance(value, web.FileField):
                files[name] = Upload(value.filename, value.content_type, value.file.read())
            else:
                raw[name] = value
    return {name: _decode(name, value) for name, value in raw.items()}, files


def _decode(name: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if name in _JSON_KEYS:
        return json.loads(value)
    if name in _INT_KEYS and re.fullmatch(r"-?\d+", value):
        return int(value)
    if name in _BOOL_KEYS:
        return value == "true"
    return value
