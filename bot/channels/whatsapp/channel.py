"""The WhatsApp channel: Cloud API webhook over aiohttp, no WhatsApp SDK.

POST /whatsapp/webhook: authenticate (`X-Hub-Signature-256` over the raw body) before
parsing; store each message in the durable inbox (unique on the wamid, so Meta's redeliveries
are no-ops) and each receipt; acknowledge; then handle the messages in the background:
download and clean media, run the engine, send the replies. GET answers Meta's handshake.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import aiohttp
from aiohttp import web

from bot.app import App
from bot.channels.base import Channel, Delivery
from bot.channels.inbox import NOT_PROCESSED, handle_update, mark_done
from bot.channels.whatsapp.api import (
    GraphAPI,
    GraphAPIError,
    MediaIntegrityError,
    MediaTooLargeError,
)
from bot.channels.whatsapp.receive import (
    SIGNATURE_HEADER,
    IncomingMessage,
    MalformedPayloadError,
    MediaRef,
    Signature,
    StatusUpdate,
    check_signature,
    dump_message,
    handshake_challenge,
    load_message,
    parse_payload,
)
from bot.channels.whatsapp.render import numbered_ids, typed_number
from bot.channels.whatsapp.send import NETWORK_ERRORS, WhatsAppSender
from bot.media import MB, MediaError, clean_off_loop
from handlers.engine.steps import Attachments
from handlers.engine.types import Attachment, Inbound, Outbound
from handlers.i18n import t
from storage import whatsapp as store
from storage.inbox import accept_update, unprocessed
from storage.outbox import PendingMessage
from storage.whatsapp import CHANNEL

log = logging.getLogger(__name__)
ALLOWED_MEDIA = Attachments.allowed


def whatsapp_channels(app: App) -> list[Channel]:
    """The WhatsApp channel when its four settings are filled in, else nothing."""
    return [WhatsAppChannel(app)] if app.settings.whatsapp.enabled else []


class WhatsAppChannel:
    """One business phone number on the WhatsApp Cloud API."""

    name = CHANNEL

    def __init__(self, app: App) -> None:
        self.app = app
        self.settings = app.settings
        self._session: aiohttp.ClientSession | None = None
        self._sender: WhatsAppSender | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def _secret(self) -> str:
        secret = self.settings.whatsapp.app_secret
        return secret.get_secret_value() if secret else ""

    def routes(self) -> list[web.RouteDef]:
        """GET (handshake) and POST (updates) on the webhook path."""
        path = self.settings.whatsapp.webhook_path
        return [web.get(path, self.handshake), web.post(path, self.webhook)]

    async def start(self) -> None:
        """Open the Graph API session and replay messages stored but not handled."""
        await self.open()
        svc = self.app.services
        pending = await svc.db.read(lambda s: unprocessed(session=s, ring=svc.ring,
                                                          channel=CHANNEL))
        if pending:
            log.info("replaying %d stored whatsapp messages", len(pending))
            self._spawn([(inbox_id, load_message(raw)) for inbox_id, raw in pending])

    async def open(self) -> None:
        """Open the Graph API session (to send, or to replay one message: `wbs inbox retry`)."""
        token = self.settings.whatsapp.token
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        api = GraphAPI(session=self._session, token=token.get_secret_value() if token else "",
                       phone_number_id=str(self.settings.whatsapp.phone_number_id),
                       api_url=self.settings.whatsapp.api_url)
        self._sender = WhatsAppSender(self.app, api)

    async def close(self) -> None:
        """Undo `open`."""
        if self._session is not None:
            await self._session.close()

    async def replay(self, inbox_id: str, payload: bytes) -> bool:
        """Handle a stored message now, telling nobody if it fails again; True if handled."""
        return await self._handle_one(inbox_id, load_message(payload), tell=False)

    async def stop(self) -> None:
        """Finish messages in hand, then close the session."""
        await self.idle()
        if self._session is not None:
            await self._session.close()

    async def idle(self) -> None:
        """Wait until every acknowledged message has been handled."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def deliver(self, message: PendingMessage) -> Delivery:
        """Deliver one outbox message (see `WhatsAppSender.deliver`)."""
        if self._sender is None or self._session is None or self._session.closed:
            return Delivery.retry(5, "not running")  # before start() or after stop()
        return await self._sender.deliver(message)

    # -- HTTP ------------------------------------------------------------------------------

    async def handshake(self, request: web.Request) -> web.Response:
        """Meta's verification GET: echo `hub.challenge` when the verify token matches."""
        token = self.settings.whatsapp.verify_token
        expected = token.get_secret_value() if token else ""
        challenge = handshake_challenge(request.query, expected) if expected else None
        if challenge is None:
            return web.Response(status=403, text="forbidden")
        return web.Response(text=challenge)

    async def webhook(self, request: web.Request) -> web.Response:
        """Authenticate, store, acknowledge; the messages are handled in the background."""
        raw = await request.read()
        match check_signature(self._secret, raw, request.headers.get(SIGNATURE_HEADER)):
            case Signature.MISSING:
                return web.Response(status=401, text="signature required")
            case Signature.INVALID:
                return web.Response(status=403, text="bad signature")
        if self._sender is None:
            return web.Response(status=503, text="starting")
        try:
            batch = parse_payload(raw, phone_number_id=self.settings.whatsapp.phone_number_id)
        except MalformedPayloadError:
            return web.Response(status=400, text="malformed")
        stored = await asyncio.gather(*(self._store(m) for m in batch.messages))
        if batch.statuses:
            await self._record_statuses(batch.statuses)
        fresh = [(inbox_id, m) for inbox_id, m in zip(stored, batch.messages, strict=True)
                 if inbox_id is not None]
        if fresh:
            self._spawn(fresh)
        return web.json_response({"ok": True})

    async def _store(self, message: IncomingMessage) -> str | None:
        svc = self.app.services
        now = svc.clock()
        stored = await svc.db.write(lambda s: accept_update(
            session=s, ring=svc.ring, channel=CHANNEL, now=now,
            external_id=str(message.inbound.external_id), payload=dump_message(message)))
        return stored.inbox_id

    async def _record_statuses(self, statuses: tuple[StatusUpdate, ...]) -> None:
        now = self.app.services.clock()

        async def write(session: Any) -> int:
            failed = 0
            for update in statuses:
                code = update.error_codes[0] if update.error_codes else None
                failed += await store.record_status(session=session, wamid=update.message_id,
                                                    status=update.status, error_code=code, now=now)
            return failed

        if await self.app.services.db.write(write):
            log.warning("a whatsapp message to a reporter was not delivered")

    # -- handling ----------------------------------------------------------------------------

    def _spawn(self, messages: list[tuple[str, IncomingMessage]]) -> None:
        task = asyncio.get_running_loop().create_task(self._handle_all(messages))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _handle_all(self, messages: list[tuple[str, IncomingMessage]]) -> None:
        for inbox_id, message in messages:  # one bad message does not stop the others
            await self._handle_one(inbox_id, message)

    async def _handle_one(self, inbox_id: str, message: IncomingMessage, *,
                          tell: bool = True) -> bool:
        """Handle one message; a failure is tried again or kept as a dead letter (#19)."""
        return await handle_update(self.app, inbox_id, lambda: self.handle(inbox_id, message),
                                   on_dead=(lambda: self._not_processed(message)) if tell else None,
                                   kind=f"whatsapp {message.kind} message")

    async def _not_processed(self, message: IncomingMessage) -> None:
        """Tell the sender their message was not processed."""
        sender, handle = self._require_sender(), message.inbound.handle
        try:
            lang = await self._language(sender.digest(handle))
        except Exception as exc:  # noqa: BLE001 - the database may be what failed
            log.info("language unknown (%s); default used", type(exc).__name__)
            lang = self.settings.office.default_language
        await sender.reply(handle, [Outbound(t(lang, NOT_PROCESSED))], lang)

    async def handle(self, inbox_id: str, message: IncomingMessage) -> None:
        """Run one stored message through the engine and answer the sender."""
        svc, sender = self.app.services, self._require_sender()
        handle = message.inbound.handle
        digest = sender.digest(handle)
        now = svc.clock()
        sent_at = _sent_at(message.timestamp, now)
        numbered = await svc.db.write(lambda s: store.record_inbound(
            session=s, digest=digest, sent_at=sent_at, now=now))
        svc.poke_outbox()  # messages held for the 24-hour window may go out now
        with contextlib.suppress(GraphAPIError, *NETWORK_ERRORS):
            await sender.api.mark_read(str(message.inbound.external_id))
        inbound = await self._inbound(message)
        if isinstance(inbound, MediaError):
            lang = await self._language(digest)
            await sender.reply(handle, [Outbound(t(lang, inbound.key, **inbound.params))], lang)
            await mark_done(self.app, inbox_id)  # after the reply, like every other update
            return
        if numbered and (choice := typed_number(inbound.text, numbered)):
            inbound = replace(inbound, option=choice, text=None)
        replies = await self.app.engine.handle(inbound, inbox_id=inbox_id)
        lang = await self._language(digest)
        await sender.reply(handle, replies, lang)
        # only now: a crash before this resends the replies kept with the inbox row
        await mark_done(self.app, inbox_id)
        offered = next((numbered_ids(r) for r in reversed(replies) if r.options), ())
        if offered != numbered:
            await svc.db.write(lambda s: store.remember_numbered(
                session=s, digest=digest, option_ids=offered, now=svc.clock()))

    def _require_sender(self) -> WhatsAppSender:
        if self._sender is None:
            raise RuntimeError("the WhatsApp channel is not started")
        return self._sender

    async def _inbound(self, message: IncomingMessage) -> Inbound | MediaError:
        """The engine's input, with the file downloaded; or why we cannot take the message."""
        if not message.supported:
            return MediaError("whatsapp.unsupported")
        if message.media is None:
            return message.inbound
        cleaned = await self._fetch(message.media)
        if isinstance(cleaned, MediaError):
            return cleaned
        return replace(message.inbound, attachments=(cleaned,))

    async def _language(self, digest: str) -> str:
        lang = await self.app.db.read(lambda s: store.reporter_language(session=s, digest=digest))
        return lang or self.settings.office.default_language

    async def _fetch(self, media: MediaRef) -> Attachment | MediaError:
        """Download a received file now (its URL lives 5 minutes), verify and clean it."""
        limit_mb = min(self.settings.conversations.max_attachment_mb, self.settings.whatsapp.max_media_mb)
        limit = int(limit_mb * MB)
        try:
            info, data = await self._require_sender().api.fetch_media(media.media_id,
                                                                      max_bytes=limit)
        except MediaTooLargeError:
            return MediaError("common.error.file_size", {"mb": int(limit_mb)})
        except (MediaIntegrityError, GraphAPIError, *NETWORK_ERRORS) as exc:
            log.warning("whatsapp media download failed (%s)", type(exc).__name__)
            return MediaError("whatsapp.media.failed")
        if media.sha256 and hashlib.sha256(data).hexdigest() != media.sha256.lower():
            return MediaError("whatsapp.media.failed")
        return await clean_off_loop(data, info.mime_type or media.mime_type, max_bytes=limit,
                                    allowed=ALLOWED_MEDIA)


def _sent_at(timestamp: int, now: datetime) -> datetime:
    """When the reporter wrote (Meta's timestamp), never later than now."""
    try:
        return min(now, datetime.fromtimestamp(timestamp, UTC)) if timestamp > 0 else now
    except (OverflowError, OSError, ValueError):
        return now
