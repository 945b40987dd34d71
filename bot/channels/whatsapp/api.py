"""A small WhatsApp Cloud API (Graph API) client over aiohttp: send, mark read, fetch media.

No WhatsApp SDK: every call is one HTTPS request with the bearer token. Errors come back as
`GraphAPIError` (or a subclass) carrying Meta's numeric code and a retry hint, never the
recipient or the message body, so they are safe to log.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import aiohttp

# Pinned Graph API version (v26.0, released 2026-07-29; see Meta's Graph API changelog).
DEFAULT_API_URL = "https://graph.facebook.com/v26.0"
MAX_TEXT = 4096
MAX_INTERACTIVE_BODY = 1024
MAX_BUTTONS = 3
MAX_BUTTON_TITLE = 20
MAX_LIST_ROWS = 10
MAX_ROW_TITLE = 24
MAX_ROW_DESCRIPTION = 72
MAX_LIST_BUTTON = 20
DEFAULT_MEDIA_LIMIT = 16 * 1024 * 1024

# Meta error codes we act on (developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes).
RATE_LIMIT = 130429  # Cloud API throughput reached
SPAM_RATE_LIMIT = 131048  # too many messages flagged, slow down
PAIR_RATE_LIMIT = 131056  # too many messages to the same user in a short time
REENGAGEMENT = 131047  # more than 24 h since the user last wrote: template only
UNDELIVERABLE = 131026  # user cannot receive (not on WhatsApp, old app, blocked...)
TEMPORARY = frozenset({1, 2, 131000, 131016})  # unknown / service unavailable / overloaded

_DEFAULT_BACKOFF = {RATE_LIMIT: 30.0, SPAM_RATE_LIMIT: 60.0, PAIR_RATE_LIMIT: 6.0}


class GraphAPIError(Exception):
    """A failed Graph API call: Meta's error code, HTTP status and a retry hint in seconds.

    `retry_after` is None when retrying the same request cannot help.
    """

    def __init__(
        self, *, code: int | None, http_status: int, title: str = "", retry_after: float | None
    ) -> None:
        super().__init__(f"Graph API error {code} (HTTP {http_status}) {title}".rstrip())
        self.code = code
        self.http_status = http_status
        self.title = title
        self.retry_after = retry_after

    @property
    def retryable(self) -> bool:
        """True when the same request may succeed later (rate limits, outages)."""
        return self.retry_after is not None


class RateLimitedError(GraphAPIError):
    """130429 / 131048 / 131056 or HTTP 429: slow down and retry after `retry_after`."""


class OutsideWindowError(GraphAPIError):
    """131047: the 24-hour customer-service window is closed; only a template may be sent."""


class UndeliverableError(GraphAPIError):
    """131026: WhatsApp cannot deliver to this user; retrying will not help."""


class MediaIntegrityError(Exception):
    """Downloaded media did not match Meta's sha256, or was larger than allowed."""


class MediaTooLargeError(MediaIntegrityError):
    """The file is larger than the size limit (checked before and while downloading)."""


@dataclass(frozen=True, slots=True)
class MediaInfo:
    """What `GET /{media-id}` says about an uploaded file (the URL expires in 5 minutes)."""

    url: str
    mime_type: str
    sha256: str
    file_size: int | None


def _retry_hint(code: int | None, http_status: int, header: str | None) -> float | None:
    """Seconds to wait before retrying, or None when the error is permanent."""
    if header:
        try:
            return max(float(header), 0.0)
        except ValueError:
            pass
    if code in _DEFAULT_BACKOFF:
        return _DEFAULT_BACKOFF[code]
    if http_status == 429:
        return 30.0
    if code in TEMPORARY or http_status >= 500:
        return 5.0
    return None


def error_from_response(http_status: int, body: Any, retry_after: str | None) -> GraphAPIError:
    """Map a Graph API error response to the matching exception class."""
    error = body.get("error") if isinstance(body, dict) else None
    error = error if isinstance(error, dict) else {}
    code = error.get("code") if isinstance(error.get("code"), int) else None
    title = str(error.get("type") or "")[:80]
    hint = _retry_hint(code, http_status, retry_after)
    kind: type[GraphAPIError] = GraphAPIError
    if code in _DEFAULT_BACKOFF or http_status == 429:
        kind = RateLimitedError
    elif code == REENGAGEMENT:
        kind = OutsideWindowError
    elif code == UNDELIVERABLE:
        kind = UndeliverableError
    return kind(code=code, http_status=http_status, title=title, retry_after=hint)


def addressed(handle: str, message: dict[str, Any]) -> dict[str, Any]:
    """Wrap a message body for the /messages endpoint, addressed by phone or BSUID.

    A BSUID ("ID.1234...") goes in `recipient`; a wa_id (digits) in `to`.
    """
    key = "recipient" if "." in handle else "to"
    return {"messaging_product": "whatsapp", "recipient_type": "individual", key: handle, **message}


class GraphAPI:
    """Calls the Cloud API for one business phone number."""

    def __init__(
        self,
        *,
        session: aiohttp.ClientSession,
        token: str,
        phone_number_id: str,
        api_url: str = DEFAULT_API_URL,
    ) -> None:
        self._session = session
        self._token = token
        self._phone_number_id = phone_number_id
        self._api_url = api_url.rstrip("/")

    @property
    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token}"}

    async def _request(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        url = f"{self._api_url}/{path}"
        async with self._session.request(method, url, headers=self._auth, **kwargs) as resp:
            try:
                body = await resp.json(content_type=None)
            except (ValueError, aiohttp.ContentTypeError):
                body = None
            if resp.status >= 400 or not isinstance(body, dict):
                raise error_from_response(resp.status, body, resp.headers.get("Retry-After"))
            return body

    async def send(self, handle: str, message: dict[str, Any]) -> str:
        """Send one message body (text, interactive, template...) and return its wamid."""
        payload = addressed(handle, message)
        body = await self._request("POST", f"{self._phone_number_id}/messages", json=payload)
        messages = body.get("messages") or [{}]
        return str(messages[0].get("id", ""))

    async def send_text(self, handle: str, text: str) -> str:
        """Send plain text (≤ 4,096 characters)."""
        return await self.send(handle, text_message(text))

    async def send_template(self, handle: str, name: str, language: str) -> str:
        """Send an approved template without parameters (allowed outside the 24 h window)."""
        return await self.send(handle, template_message(name, language))

    async def mark_read(self, message_id: str) -> None:
        """Mark an incoming message as read (blue ticks)."""
        payload = {"messaging_product": "whatsapp", "status": "read", "message_id": message_id}
        await self._request("POST", f"{self._phone_number_id}/messages", json=payload)

    async def media_info(self, media_id: str) -> MediaInfo:
        """Look up the short-lived download URL and checksum of a received file."""
        body = await self._request("GET", media_id)
        size = body.get("file_size")
        return MediaInfo(
            url=str(body.get("url", "")),
            mime_type=str(body.get("mime_type", "application/octet-stream")),
            sha256=str(body.get("sha256", "")),
            file_size=int(str(size)) if str(size or "").isdigit() else None,
        )

    async def download_media(
        self, info: MediaInfo, *, max_bytes: int = DEFAULT_MEDIA_LIMIT
    ) -> bytes:
        """Download a file with the bearer token, enforcing a size cap and Meta's sha256."""
        if info.file_size is not None and info.file_size > max_bytes:
            raise MediaTooLargeError("media larger than allowed")
        async with self._session.get(info.url, headers=self._auth) as resp:
            if resp.status >= 400:
                raise error_from_response(resp.status, None, resp.headers.get("Retry-After"))
            data = bytearray()
            async for chunk in resp.content.iter_chunked(64 * 1024):
                data.extend(chunk)
                if len(data) > max_bytes:
                    raise MediaTooLargeError("media larger than allowed")
        if info.sha256 and hashlib.sha256(data).hexdigest() != info.sha256.lower():
            raise MediaIntegrityError("media checksum mismatch")
        return bytes(data)

    async def fetch_media(
        self, media_id: str, *, max_bytes: int = DEFAULT_MEDIA_LIMIT
    ) -> tuple[MediaInfo, bytes]:
        """Look up and download a received file at once (its URL expires in 5 minutes)."""
        info = await self.media_info(media_id)
        return info, await self.download_media(info, max_bytes=max_bytes)

    async def upload_media(self, data: bytes, *, filename: str, content_type: str) -> str:
        """Upload a file for sending and return its media id."""
        form = aiohttp.FormData()
        form.add_field("messaging_product", "whatsapp")
        form.add_field("type", content_type)
        form.add_field("file", data, filename=filename, content_type=content_type)
        body = await self._request("POST", f"{self._phone_number_id}/media", data=form)
        return str(body.get("id", ""))


def text_message(text: str) -> dict[str, Any]:
    """A plain text message body."""
    return {"type": "text", "text": {"body": text, "preview_url": False}}


def template_message(name: str, language: str) -> dict[str, Any]:
    """A template message body without parameters."""
    return {"type": "template", "template": {"name": name, "language": {"code": language}}}


def buttons_message(body: str, buttons: list[tuple[str, str]]) -> dict[str, Any]:
    """Interactive reply buttons: `buttons` is up to three (id, title ≤ 20 chars) pairs."""
    if not 1 <= len(buttons) <= MAX_BUTTONS:
        raise ValueError("reply buttons take 1 to 3 options")
    return {
        "type": "interactive",
        "interactive": {
            "type": "button",
            "body": {"text": body[:MAX_INTERACTIVE_BODY]},
            "action": {
                "buttons": [
                    {"type": "reply", "reply": {"id": bid, "title": title[:MAX_BUTTON_TITLE]}}
                    for bid, title in buttons
                ]
            },
        },
    }


def list_message(body: str, button: str, rows: list[tuple[str, str, str | None]]) -> dict[str, Any]:
    """Interactive list: up to ten (id, title ≤ 24, description ≤ 72) rows in one section."""
    if not 1 <= len(rows) <= MAX_LIST_ROWS:
        raise ValueError("a list takes 1 to 10 rows")
    out_rows = []
    for rid, title, description in rows:
        row = {"id": rid, "title": title[:MAX_ROW_TITLE]}
        if description:
            row["description"] = description[:MAX_ROW_DESCRIPTION]
        out_rows.append(row)
    return {
        "type": "interactive",
        "interactive": {
            "type": "list",
            "body": {"text": body[:MAX_INTERACTIVE_BODY]},
            "action": {"button": button[:MAX_LIST_BUTTON], "sections": [{"rows": out_rows}]},
        },
    }


def media_message(kind: str, media_id: str, *, filename: str | None = None) -> dict[str, Any]:
    """An image or document message referring to an uploaded media id."""
    media: dict[str, Any] = {"id": media_id}
    if kind == "document" and filename:
        media["filename"] = filename
    return {"type": kind, kind: media}
