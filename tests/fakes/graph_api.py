"""A fake WhatsApp Cloud API (Graph API) on loopback, plus signed webhook fixtures.

The fake records every call, checks the bearer token, enforces Meta's message limits
(so a rendering bug fails like it would in production), serves media behind the token,
and can be told to answer the next sends with Meta errors (130429, 131047, ...).
Fixture shapes follow Meta's "messages" webhook, including BSUID fields
(`contacts[].user_id`, `messages[].from_user_id`, `statuses[].recipient_user_id`).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from bot.channels.whatsapp.receive import SIGNATURE_HEADER, sign

VERSION = "v26.0"
_ids = itertools.count(1)


@dataclass
class Call:
    """One request the fake received."""

    method: str
    path: str
    headers: dict[str, str]
    json: Any = None
    accepted: bool = False


@dataclass
class _Failure:
    code: int
    http_status: int
    retry_after: str | None


@dataclass
class FakeGraphAPI:
    """A Graph API double on 127.0.0.1: `api_url` goes into WBS_WHATSAPP_API_URL."""

    token: str = "test-graph-token"
    phone_number_id: str = "109876543210"
    calls: list[Call] = field(default_factory=list)
    media: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    uploads: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    _failures: list[_Failure] = field(default_factory=list)
    _sha: dict[str, str] = field(default_factory=dict)
    _wamids: list[str] = field(default_factory=list)
    _runner: web.AppRunner | None = None
    port: int = 0

    async def start(self) -> FakeGraphAPI:
        """Listen on a free loopback port."""
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def close(self) -> None:
        """Stop listening."""
        if self._runner:
            await self._runner.cleanup()

    @property
    def base(self) -> str:
        """The server's root URL (media downloads live here)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        """The versioned Graph API base, as WBS_WHATSAPP_API_URL."""
        return f"{self.base}/{VERSION}"

    # ---- what tests look at -------------------------------------------------------
    @property
    def sent(self) -> list[dict[str, Any]]:
        """Message payloads accepted by /messages (not read receipts), in order."""
        return [c.json for c in self.calls if c.accepted]

    @property
    def last_wamid(self) -> str:
        """The message id the fake gave the last accepted message."""
        return self._wamids[-1]

    @property
    def reads(self) -> list[str]:
        """Message ids marked as read."""
        return [
            c.json["message_id"]
            for c in self.calls
            if c.path.endswith("/messages") and c.json and c.json.get("status") == "read"
        ]

    def texts(self) -> list[str]:
        """Bodies of every sent text and interactive message, in order."""
        out = []
        for msg in self.sent:
            if msg["type"] == "text":
                out.append(msg["text"]["body"])
            elif msg["type"] == "interactive":
                out.append(msg["interactive"]["body"]["text"])
        return out

    # ---- what tests arrange -------------------------------------------------------
    def add_media(
        self, data: bytes, mime_type: str = "image/jpeg", *, sha256: str | None = None
    ) -> str:
        """Hold a file as if a user had sent it; returns its media id."""
        media_id = str(900000 + next(_ids))
        self.media[media_id] = (data, mime_type)
        self._sha[media_id] = sha256 or hashlib.sha256(data).hexdigest()
        return media_id

    def fail_next(
        self, code: int, *, http_status: int = 400, times: int = 1, retry_after: str | None = None
    ) -> None:
        """Answer the next `times` sends with Meta error `code`."""
        self._failures.extend(_Failure(code, http_status, retry_after) for _ in range(times))

    # ---- the API --------------------------------------------------------------------
    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body: Any = None
        if request.content_type == "application/json":
            body = await request.json()
        call = Call(request.method, request.path, dict(request.headers), body)
        self.calls.append(call)
        if request.path.startswith("/download/"):
            return self._download(request)
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return _error(401, 190, "OAuthException")
        prefix = f"/{VERSION}/"
        if not request.path.startswith(prefix):
            return _error(404, 100, "GraphMethodException")
        path = request.path[len(prefix) :]
        if request.method == "POST" and path == f"{self.phone_number_id}/messages":
            return self._messages(call)
        if request.method == "POST" and path == f"{self.phone_number_id}/media":
            return await self._upload(request)
        if request.method == "GET" and path in self.media:
            data, mime = self.media[path]
            return web.json_response(
                {
                    "messaging_product": "whatsapp",
                    "url": f"{self.base}/download/{path}",
                    "mime_type": mime,
                    "sha256": self._sha[path],
                    "file_size": str(len(data)),
                    "id": path,
                }
            )
        return _error(404, 100, "GraphMethodException")

    def _download(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return web.Response(status=401)
        item = self.media.get(request.path.rsplit("/", 1)[-1])
        if item is None:
            return web.Response(status=404)
        return web.Response(body=item[0], content_type=item[1])

    def _messages(self, call: Call) -> web.Response:
        payload = call.json or {}
        if payload.get("status") == "read":
            return web.json_response({"success": True})
        if self._failures:
            failure = self._failures.pop(0)
            headers = {"Retry-After": failure.retry_after} if failure.retry_after else None
            return _error(failure.http_status, failure.code, "OAuthException", headers)
        problem = validate_message(payload)
        if problem:
            return _error(400, 131009, f"Parameter value is not valid: {problem}")
        call.accepted = True
        handle = payload.get("to") or payload.get("recipient")
        key = "wa_id" if "to" in payload else "user_id"
        self._wamids.append(f"wamid.OUT{next(_ids):08d}")
        return web.json_response(
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": handle, key: handle}],
                "messages": [{"id": self._wamids[-1]}],
            }
        )

    async def _upload(self, request: web.Request) -> web.Response:
        form = await request.post()
        upload = form.get("file")
        if not isinstance(upload, web.FileField) or form.get("messaging_product") != "whatsapp":
            return _error(400, 100, "invalid upload")
        media_id = str(800000 + next(_ids))
        self.uploads[media_id] = (upload.file.read(), upload.content_type)
        return web.json_response({"id": media_id})


def _error(
    status: int, code: int, kind: str, headers: dict[str, str] | None = None
) -> web.Response:
    body = {
        "error": {
            "message": kind,
            "type": "OAuthException",
            "code": code,
            "error_data": {"messaging_product": "whatsapp", "details": kind},
            "fbtrace_id": "AbCdEf",
        }
    }
    return web.json_response(body, status=status, headers=headers)


def validate_message(msg: dict[str, Any]) -> str | None:  # noqa: PLR0911 - one check per limit
    """What Meta would reject in an outgoing message, or None."""
    if msg.get("messaging_product") != "whatsapp" or ("to" in msg) == ("recipient" in msg):
        return "addressing"
    kind = msg.get("type")
    if kind == "text":
        body = msg["text"]["body"]
        return None if 0 < len(body) <= 4096 else "text length"
    if kind == "template":
        return None if msg["template"].get("name") else "template name"
    if kind in ("image", "document"):
        return None if msg[kind].get("id") else "media id"
    if kind != "interactive":
        return "type"
    inter = msg["interactive"]
    if not 0 < len(inter["body"]["text"]) <= 1024:
        return "body length"
    if inter["type"] == "button":
        buttons = inter["action"]["buttons"]
        ok = 1 <= len(buttons) <= 3 and all(0 < len(b["reply"]["title"]) <= 20 for b in buttons)
        return (
            None if ok and len({b["reply"]["id"] for b in buttons}) == len(buttons) else "buttons"
        )
    if inter["type"] == "list":
        rows = [r for s in inter["action"]["sections"] for r in s["rows"]]
        ok = 1 <= len(rows) <= 10 and 0 < len(inter["action"]["button"]) <= 20
        ok = ok and all(
            0 < len(r["title"]) <= 24 and len(r.get("description", "")) <= 72 for r in rows
        )
        return None if ok else "list"
    return "interactive type"


# ---- webhook fixtures ------------------------------------------------------------------
@dataclass(frozen=True)
class Sender:
    """A WhatsApp user as webhooks describe them (wa_id = phone number, user_id = BSUID)."""

    wa_id: str | None = "6281234567890"
    user_id: str | None = "ID.1410018717833190"
    name: str = "Warga"

    def contact(self) -> dict[str, Any]:
        """The `contacts[]` entry for this user."""
        out: dict[str, Any] = {"profile": {"name": self.name}}
        if self.wa_id:
            out["wa_id"] = self.wa_id
        if self.user_id:
            out["user_id"] = self.user_id
            out["country_code"] = self.user_id.split(".")[0]
        return out

    def message(
        self,
        kind: str,
        content: dict[str, Any],
        *,
        wamid: str | None = None,
        timestamp: int | None = None,
    ) -> dict[str, Any]:
        """One `messages[]` object of type `kind`."""
        out: dict[str, Any] = {
            "id": wamid or f"wamid.IN{next(_ids):010d}",
            "timestamp": str(timestamp if timestamp is not None else int(time.time())),
            "type": kind,
            kind: content,
        }
        if self.wa_id:
            out["from"] = self.wa_id
        if self.user_id:
            out["from_user_id"] = self.user_id
        return out

    def text(self, body: str, **kw: Any) -> dict[str, Any]:
        """A text message."""
        return self.message("text", {"body": body}, **kw)

    def button_reply(self, option_id: str, title: str = "", **kw: Any) -> dict[str, Any]:
        """A tap on a reply button."""
        reply = {
            "type": "button_reply",
            "button_reply": {"id": option_id, "title": title or option_id},
        }
        return self.message("interactive", reply, **kw)

    def list_reply(self, option_id: str, title: str = "", **kw: Any) -> dict[str, Any]:
        """A choice from a list."""
        reply = {"type": "list_reply", "list_reply": {"id": option_id, "title": title or option_id}}
        return self.message("interactive", reply, **kw)

    def media(
        self, kind: str, media_id: str, data: bytes, mime_type: str, **kw: Any
    ) -> dict[str, Any]:
        """An image / document / audio message pointing at media the fake holds."""
        content: dict[str, Any] = {
            "id": media_id,
            "mime_type": mime_type,
            "sha256": hashlib.sha256(data).hexdigest(),
        }
        for key in ("caption", "filename"):
            if key in kw:
                content[key] = kw.pop(key)
        return self.message(kind, content, **kw)

    def unsupported(self, **kw: Any) -> dict[str, Any]:
        """A sticker-like message the Cloud API reports as unsupported."""
        msg = self.message("unsupported", {"type": "sticker"}, **kw)
        msg["errors"] = [{"code": 131051, "title": "Message type unknown"}]
        return msg


# A reporter whose app sends both ids (Meta's rollout since April 2026).
WARGA = Sender(wa_id="6281234567890", user_id="ID.1410018717833190")


def status(wamid: str, state: str, to: Sender, *, error_code: int | None = None) -> dict[str, Any]:
    """A `statuses[]` object for a message we sent."""
    out: dict[str, Any] = {"id": wamid, "status": state, "timestamp": str(int(time.time()))}
    if to.wa_id:
        out["recipient_id"] = to.wa_id
    if to.user_id:
        out["recipient_user_id"] = to.user_id
    if error_code is not None:
        out["errors"] = [
            {"code": error_code, "title": "failed", "error_data": {"details": "Message failed"}}
        ]
    return out


def change_value(
    *,
    senders: tuple[Sender, ...] = (),
    messages: tuple[dict[str, Any], ...] = (),
    statuses: tuple[dict[str, Any], ...] = (),
    phone_number_id: str = "109876543210",
) -> dict[str, Any]:
    """One `changes[].value` object."""
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "628001234567", "phone_number_id": phone_number_id},
    }
    if senders:
        value["contacts"] = [s.contact() for s in senders]
    if messages:
        value["messages"] = list(messages)
    if statuses:
        value["statuses"] = list(statuses)
    return value


def webhook(*values: dict[str, Any]) -> dict[str, Any]:
    """A webhook body: each value becomes its own entry with one "messages" change."""
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {"id": "WABA_ID", "changes": [{"value": v, "field": "messages"}]} for v in values
        ],
    }


def messages_from(sender: Sender, *messages: dict[str, Any]) -> dict[str, Any]:
    """A webhook body carrying `messages` from one sender."""
    return webhook(change_value(senders=(sender,), messages=messages))


def signed(payload: dict[str, Any], app_secret: str) -> tuple[bytes, dict[str, str]]:
    """(raw body, headers) exactly as Meta would POST them."""
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return raw, {"Content-Type": "application/json", SIGNATURE_HEADER: sign(app_secret, raw)}
