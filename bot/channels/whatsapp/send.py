"""Sending on WhatsApp: replies to the sender, outbox deliveries and the 24-hour window.

Free-form messages may only go out within 24 hours of the reporter's last message. Outside
that window an outbox message is held: the configured template (which carries no report
content, e.g. "Ada pembaruan pada laporan Anda — balas CEK untuk melihat") is sent once, and
the held messages are released when the reporter writes again (`storage.whatsapp`).
Rate limits (130429, 131056, HTTP 429) and outages become outbox retries with Meta's hint.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import aiohttp

from bot.app import App
from bot.channels.base import Delivery
from bot.channels.whatsapp.api import (
    GraphAPI,
    GraphAPIError,
    OutsideWindowError,
    media_message,
)
from bot.channels.whatsapp.render import render
from handlers.engine.types import Attachment, Outbound, outbound_from_dict, outbound_to_dict
from storage import outbox
from storage import whatsapp as store
from storage.crypto import handle_digest
from storage.outbox import PendingMessage
from storage.whatsapp import CHANNEL

log = logging.getLogger(__name__)

# Meta's window is 24 h from the user's message; stop a little early so a send in flight
# does not cross the boundary.
WINDOW = timedelta(hours=24) - timedelta(minutes=2)
HOLD = timedelta(days=7)  # a held message waits this long unless the reporter writes first
REPLY = "whatsapp_reply"  # engine replies deferred by a rate limit
NETWORK_RETRY = 30.0
NETWORK_ERRORS = (aiohttp.ClientError, TimeoutError)


def outbound_payload(message: Outbound, lang: str) -> dict[str, Any]:
    """An `Outbound` as an outbox payload, with the language its notices should use."""
    return {"lang": lang, **outbound_to_dict(message)}


def _error_code(exc: BaseException) -> str:
    return str(exc.code) if isinstance(exc, GraphAPIError) else type(exc).__name__


class WhatsAppSender:
    """Renders and sends messages for one business phone number."""

    def __init__(self, app: App, api: GraphAPI) -> None:
        self.app = app
        self.api = api
        self._paused: dict[str, datetime] = {}  # digest -> until when replies wait in the outbox

    def digest(self, handle: str) -> str:
        """HMAC under which this reporter's conversation and window are kept."""
        return handle_digest(self.app.services.ring, CHANNEL, handle)

    async def send(self, handle: str, message: Outbound, lang: str) -> list[str]:
        """Send one `Outbound` (uploading attachments first); returns the wamids."""
        wamids = []
        for item in render(message, lang):
            if isinstance(item, Attachment):
                media_id = await self.api.upload_media(
                    item.data, filename=item.filename, content_type=item.content_type
                )
                kind = "image" if item.content_type.startswith("image/") else "document"
                body = media_message(kind, media_id, filename=item.filename)
            else:
                body = item
            wamids.append(await self.api.send(handle, body))
        return wamids

    async def reply(self, handle: str, messages: Sequence[Outbound], lang: str) -> None:
        """Answer the sender now; what cannot go out now goes to the outbox for retries.

        While earlier replies wait for a rate limit, new ones queue behind them (order holds).
        """
        digest, now = self.digest(handle), self.app.services.clock()
        until = self._paused.pop(digest, None)
        if until is not None and until > now:
            self._paused[digest] = until
            wait = (until - now).total_seconds()
            await self._defer(handle, messages, lang, Delivery.retry(wait, "queued"))
            return
        for n, message in enumerate(messages):
            try:
                await self.send(handle, message, lang)
            except (GraphAPIError, *NETWORK_ERRORS) as exc:
                result = _failure(exc)
                if isinstance(exc, OutsideWindowError):
                    result = Delivery.retry(0, str(exc.code))  # the outbox sends the template
                log.warning("whatsapp reply failed (%s)%s", result.error,
                            "" if result.retry_after is None else "; queued in the outbox")
                if result.retry_after is not None:
                    self._paused[digest] = now + timedelta(seconds=result.retry_after)
                    await self._defer(handle, messages[n:], lang, result)
                return

    async def _defer(
        self, handle: str, messages: Sequence[Outbound], lang: str, result: Delivery
    ) -> None:
        """Queue unsent replies, all waiting for Meta's retry hint so their order holds."""
        svc = self.app.services
        now = svc.clock()
        delay = timedelta(seconds=result.retry_after or 0)

        async def queue(session: Any) -> None:
            for message in messages:
                outbox_id = await outbox.enqueue(
                    session=session, ring=svc.ring, channel=CHANNEL, handle=handle,
                    purpose=REPLY, payload=outbound_payload(message, lang), now=now)
                if delay:
                    await outbox.mark_retry(session=session, outbox_id=outbox_id, now=now,
                                            delay=delay, error=result.error or "retry")

        await svc.db.write(queue)
        svc.poke_outbox()

    async def deliver(self, message: PendingMessage) -> Delivery:
        """Deliver one outbox message, respecting the 24-hour window and rate limits."""
        svc = self.app.services
        digest = self.digest(message.handle)
        window = await svc.db.read(lambda s: store.window(session=s, digest=digest))
        now = svc.clock()
        if window.last_inbound_at is not None and now - window.last_inbound_at < WINDOW:
            lang = str(message.payload.get("lang") or svc.settings.office.default_language)
            try:
                wamids = await self.send(message.handle, outbound_from_dict(message.payload), lang)
            except OutsideWindowError:
                pass  # Meta's clock says the window closed: fall through to the template
            except (GraphAPIError, *NETWORK_ERRORS) as exc:
                return _failure(exc)
            else:
                await self._record(wamids, message)
                return Delivery.sent(wamids)
        if window.template_pending:
            try:
                wamid = await self.api.send_template(
                    message.handle,
                    self.app.settings.whatsapp.update_template,
                    self.app.settings.whatsapp.update_template_language,
                )
            except (GraphAPIError, *NETWORK_ERRORS) as exc:
                return _failure(exc)
            await svc.db.write(lambda s: store.record_template_sent(session=s, digest=digest,
                                                                    now=now))
            await self._record([wamid], message, purpose="whatsapp_template")
        return Delivery.retry(HOLD.total_seconds(), "window")

    async def _record(self, wamids: list[str], message: PendingMessage,
                      purpose: str | None = None) -> None:
        """Tie the wamids to the outbox row so a "failed" receipt marks it failed for officers."""
        if message.ticket_id is None:
            return
        now = self.app.services.clock()
        await self.app.services.db.write(lambda s: store.record_sent(
            session=s, wamids=wamids, outbox_id=message.id, ticket_id=message.ticket_id,
            purpose=purpose or message.purpose, now=now))


def _failure(exc: BaseException) -> Delivery:
    """An exception from a send as an outbox result."""
    if isinstance(exc, GraphAPIError):
        if exc.retry_after is not None:
            return Delivery.retry(exc.retry_after, str(exc.code or exc.http_status))
        return Delivery.failed(str(exc.code or exc.http_status))
    return Delivery.retry(NETWORK_RETRY, type(exc).__name__)
