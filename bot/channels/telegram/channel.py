"""The Telegram channel: python-telegram-bot over aiohttp, polling or webhook, durable inbox.

Every update is stored in the inbox (sealed, unique per update) before it is acknowledged:
in polling mode before the next getUpdates confirms it, in webhook mode before the 200. Then
it is handled one chat at a time in arrival order. A reporter's plain text or button press in
a private chat is read straight from the JSON and goes to the citizen handlers (most updates:
building PTB objects for them cost more than handling them); everything else goes through PTB's
handlers. Only private chats reach the citizen flows; group updates are dropped unless a group
was routed to another handler with `route_group()` (the officers' chat: add PTB handlers to
`application` in `OFFICER_HANDLER_GROUP`, and `claim_presses()` their button data).
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import re
from collections.abc import Awaitable
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import BotCommand, Message, Update
from telegram.constants import ChatType
from telegram.error import TimedOut
from telegram.ext import (
    Application,
    ApplicationBuilder,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.app import App
from bot.channels.base import Delivery
from bot.channels.inbox import NOT_PROCESSED, handle_update, mark_done
from bot.channels.telegram.buttons import ButtonHandler
from bot.channels.telegram.limits import Rates, TelegramRateLimiter
from bot.channels.telegram.receive import (
    UPDATE_KINDS,
    Press,
    Typed,
    chat_of,
    citizen_input,
    download_attachments,
    external_id,
    press_of,
    trim_update,
    typed_of,
)
from bot.channels.telegram.send import CHANNEL, TelegramSender
from bot.channels.telegram.transport import Timeouts, build_requests
from bot.media import DEFAULT_ALLOWED, MB, MediaError
from handlers import i18n
from handlers.engine.commands import COMMANDS, Action, command_menu, words_for
from handlers.engine.locks import KeyedLocks
from handlers.engine.types import ChannelKind, Inbound, Outbound
from storage.inbox import Accepted, accept_update, unprocessed
from storage.outbox import PendingMessage

log = logging.getLogger(__name__)
OFFICER_HANDLER_GROUP = 1
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
DELETE_COMMANDS = {f"/{word}" for word in words_for(Action.DELETE)}


async def start_up_call(what: str, call: Awaitable[object]) -> None:
    """A start-up call to Telegram that must not stop the bot: any error is logged by its
    type (never its text, which may echo ids) and the bot starts anyway."""
    try:
        await call
    except Exception as exc:
        log.warning("%s failed at start-up (%s); starting anyway", what, type(exc).__name__)


class TelegramChannel:
    """Receives Telegram updates, runs them through the engine, renders the replies."""

    name = CHANNEL

    def __init__(self, app: App, *, rates: Rates | None = None) -> None:
        self.app = app
        settings = app.settings
        token = settings.telegram.token.get_secret_value() if settings.telegram.token else ""
        base_url, file_url = settings.telegram.urls()
        general, updates = build_requests(connection_pool_size=settings.telegram.pool_size,
                                          timeouts=Timeouts(read=10.0, write=10.0))
        rates = rates or Rates(private_per_s=settings.telegram.rate_per_chat,
                               group_per_s=settings.telegram.rate_group,
                               overall_per_s=settings.telegram.rate_overall)
        self.application: Application = (
            ApplicationBuilder().token(token).base_url(base_url).base_file_url(file_url)
            .request(general).get_updates_request(updates)
            .rate_limiter(TelegramRateLimiter(rates)).updater(None).build()
        )
        self.sender = TelegramSender(app, self.application.bot)
        self.buttons = ButtonHandler(app, self.sender, self.application.bot)
        self.webhook_mode = bool(settings.web.public_url)
        self._secret = settings.telegram.secret()
        self._locks = KeyedLocks()
        self._ptb_inbox: dict[int, str] = {}  # update id -> inbox id, while PTB handles it
        self._ptb_failed: dict[int, Exception] = {}  # update id -> what a PTB handler raised
        self._groups: set[int] = set()
        self._claimed: tuple[re.Pattern[str], ...] = ()
        self._tasks: set[asyncio.Task[bool]] = set()
        self._poller: asyncio.Task[None] | None = None
        self.application.add_handler(CallbackQueryHandler(self.on_press))
        self.application.add_handler(MessageHandler(filters.ChatType.PRIVATE, self.on_message))
        self.application.add_error_handler(self._on_error)

    # -- lifecycle -----------------------------------------------------------------------------
    def routes(self) -> list[web.RouteDef]:
        """The webhook endpoint (a secret path), only in webhook mode."""
        if not self.webhook_mode:
            return []
        return [web.post(self.app.settings.telegram.webhook_path(), self.on_webhook)]

    async def start(self) -> None:
        """Connect, register commands, start receiving, then replay the unprocessed inbox."""
        await self.application.initialize()
        await start_up_call("setMyCommands", self._register_commands())
        bot = self.application.bot
        if self.webhook_mode:
            settings = self.app.settings
            url = f"{settings.web.public_url}{settings.telegram.webhook_path()}"
            await start_up_call("setWebhook", bot.set_webhook(
                url, secret_token=self._secret, allowed_updates=UPDATE_KINDS,
                drop_pending_updates=False, max_connections=40))
        else:
            await start_up_call("deleteWebhook", bot.delete_webhook(drop_pending_updates=False))
            self._poller = asyncio.get_running_loop().create_task(self._poll(), name="tg-poll")
        svc = self.app.services
        for inbox_id, payload in await self.app.db.read(
                lambda s: unprocessed(session=s, ring=svc.ring, channel=CHANNEL)):
            if (parsed := self._parse(json.loads(payload))) is not None:
                self._dispatch(inbox_id, *parsed)
            else:
                await mark_done(self.app, inbox_id)

    async def stop(self) -> None:
        """Stop polling (the webhook stays set so Telegram queues updates), finish work."""
        if self._poller:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=15)
        await self.application.shutdown()

    def route_group(self, chat_id: int) -> None:
        """Also keep and dispatch updates from this group (e.g. the officers' chat)."""
        self._groups.add(chat_id)

    def claim_presses(self, pattern: str) -> None:
        """Button data matching `pattern` goes through PTB's handlers even in private chats."""
        self._claimed += (re.compile(pattern),)

    async def deliver(self, message: PendingMessage) -> Delivery:
        """Outbox delivery, in order with the live replies of the same chat."""
        async with self._locks.hold(message.handle):
            return await self.sender.deliver(message)

    async def _register_commands(self) -> None:
        bot = self.application.bot
        for lang in COMMANDS:
            listed = [BotCommand(name, i18n.t(lang, key)) for name, key in command_menu(lang)]
            await bot.set_my_commands(listed, language_code=lang)
            if lang == i18n.DEFAULT_LANGUAGE:
                await bot.set_my_commands(listed)

    # -- receiving -----------------------------------------------------------------------------
    async def on_webhook(self, request: web.Request) -> web.Response:
        """Authenticate (constant time) before reading the body; store, then acknowledge."""
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret.encode()):
            return web.Response(status=403)
        try:
            body = await request.read()
            raw = json.loads(body)
            if not isinstance(raw, dict) or not isinstance(raw.get("update_id"), int):
                raise ValueError("not an update")
        except ValueError:
            return web.Response(status=400)
        pressed = await self._accept([raw])
        answer = self.buttons.answer_in_webhook(pressed[0]) if pressed else None
        return web.json_response(answer) if answer else web.Response()

    async def _poll(self) -> None:
        """Long-poll getUpdates; an offset confirms updates only after they are stored."""
        bot, offset, pause = self.application.bot, None, 1.0
        while True:
            try:
                updates = await bot.get_updates(offset=offset, allowed_updates=UPDATE_KINDS,
                                                timeout=self.app.settings.telegram.poll_timeout)
                if updates:
                    await self._accept([u.to_dict() for u in updates])
                    offset = updates[-1].update_id + 1
                pause = 1.0
            except TimedOut:
                continue
            except Exception as exc:  # noqa: BLE001 - network, Conflict, database: keep polling
                # nothing was confirmed to Telegram, so the same updates come again
                log.warning("polling failed (%s); retrying in %.0f s", type(exc).__name__, pause)
                await asyncio.sleep(pause)
                pause = min(pause * 2, 30.0)

    def _parse(self, raw: dict[str, Any]) -> tuple[int, Typed | Press | Update] | None:
        """(chat id, what to handle) for an update we handle, else None (dropped)."""
        fast = citizen_input(raw, self._claimed)
        if fast is not None:
            return fast.chat_id, fast
        try:
            update = Update.de_json(raw, self.application.bot)
        except (TypeError, ValueError, KeyError, AttributeError):
            log.warning("malformed Telegram update dropped")
            return None
        chat = chat_of(update)
        if chat and (chat[1] == ChatType.PRIVATE or chat[0] in self._groups):
            return chat[0], update
        return None

    async def _accept(self, raws: list[dict[str, Any]]) -> list[Press]:
        """Store the updates we handle, trimmed of names (one commit), then dispatch the ones
        not seen before, as stored; the button presses among those (the webhook may answer one
        in its response)."""
        svc = self.app.services
        wanted = []
        for raw in map(trim_update, raws):
            if (parsed := self._parse(raw)) is not None:
                payload = json.dumps(raw, ensure_ascii=False).encode()
                wanted.append((parsed, external_id(svc.ring, parsed[1]), payload))
        if not wanted:
            return []
        now = svc.clock()

        async def store(session: AsyncSession) -> list[Accepted]:
            return [await accept_update(session=session, ring=svc.ring, channel=CHANNEL,
                                        external_id=key, payload=payload, now=now)
                    for _, key, payload in wanted]

        pressed = []
        for (parsed, _, _), stored in zip(wanted, await self.app.db.write(store), strict=True):
            if stored.inbox_id is not None:
                self._dispatch(stored.inbox_id, *parsed)
                if isinstance(parsed[1], Press):
                    pressed.append(parsed[1])
        return pressed

    def _dispatch(self, inbox_id: str, chat_id: int, item: Typed | Press | Update) -> None:
        task = asyncio.get_running_loop().create_task(self._process(inbox_id, chat_id, item))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _process(self, inbox_id: str, chat_id: int, item: Typed | Press | Update, *,
                       tell: bool = True) -> bool:
        """One chat at a time, in order; the inbox row is marked by whoever handled it. A
        failure is tried again or kept as a dead letter, never marked processed (#19)."""

        async def work() -> None:
            if isinstance(item, Typed):
                await self.on_typed(item, inbox_id)
            elif isinstance(item, Press):
                await self.buttons.press(item, inbox_id)
            else:
                await self._through_ptb(inbox_id, item)

        async with self._locks.hold(str(chat_id)):
            return await handle_update(self.app, inbox_id, work, kind="telegram update",
                                       on_dead=(lambda: self._not_processed(chat_id, item))
                                       if tell else None)

    async def open(self) -> None:
        """Connect without receiving (to replay a stored update: `wbs inbox retry`)."""
        await self.application.initialize()

    async def close(self) -> None:
        """Undo `open`."""
        await self.application.shutdown()

    async def replay(self, inbox_id: str, payload: bytes) -> bool:
        """Handle a stored update now, telling nobody if it fails again; True if handled."""
        parsed = self._parse(json.loads(payload))
        if parsed is None:
            await mark_done(self.app, inbox_id)
            return True
        return await self._process(inbox_id, *parsed, tell=False)

    async def _through_ptb(self, inbox_id: str, update: Update) -> None:
        """PTB's handlers; the row is marked by the handler that took its id, else here; what
        a handler raised (PTB hands it to `_on_error`) is raised again here, nothing marked."""
        self._ptb_inbox[update.update_id] = inbox_id
        try:
            await self.application.process_update(update)
        finally:
            failed = self._ptb_failed.pop(update.update_id, None)
            left = self._take_inbox(update.update_id)
        if failed is not None:
            raise failed
        await mark_done(self.app, left)

    async def _not_processed(self, chat_id: int, item: Typed | Press | Update) -> None:
        """Tell whoever acted, where they acted, that their message was not processed."""
        message = item.effective_message if isinstance(item, Update) else None
        if isinstance(item, Update) and message is not None and message.chat.type != ChatType.PRIVATE:
            thread = message.message_thread_id if message.is_topic_message else None
            text = i18n.t(self.app.settings.office.default_language, NOT_PROCESSED)
            await self.application.bot.send_message(chat_id, text, message_thread_id=thread)
            return
        hint = item.lang_hint if isinstance(item, Typed | Press) else (
            item.effective_user.language_code if item.effective_user else None)
        try:
            lang = await self.sender.lang(chat_id, hint)
        except Exception as exc:  # noqa: BLE001 - the database may be what failed
            log.info("language unknown (%s); default used", type(exc).__name__)
            lang = i18n.normalise_language(hint, self.app.settings.office.default_language)
        await self.sender.reply(chat_id, [Outbound(i18n.t(lang, NOT_PROCESSED))], lang=lang,
                                keep_keyboard=True)

    def _take_inbox(self, update_id: int) -> str | None:
        """The inbox id of the update PTB is handling (the taker must see it marked processed)."""
        return self._ptb_inbox.pop(update_id, None)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Keep a handler's error for `_through_ptb` and stop the update there (no handler of
        another group may take it half handled)."""
        if isinstance(update, Update) and isinstance(context.error, Exception):
            self._ptb_failed[update.update_id] = context.error
            raise ApplicationHandlerStop
        # only the type: exception texts can quote what the reporter wrote
        log.error("telegram handler failed: %s", type(context.error).__name__)

    # -- citizens' messages and presses --------------------------------------------------------
    async def on_press(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A press that came through PTB (e.g. after a restart, or with an unusual message)."""
        if (press := press_of(update)) is not None:
            await self.buttons.press(press, self._take_inbox(update.update_id))

    async def on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A text, photo, document or voice note in a private chat (through PTB)."""
        if update.message is not None:
            await self.on_typed(typed_of(update, update.message), self._take_inbox(update.update_id),
                                update.message)

    async def on_typed(self, typed: Typed, inbox_id: str | None,
                       message: Message | None = None) -> None:
        """A reporter's message -> engine -> replies (files from PTB's `message`) -> row done."""
        chat_id, text = typed.chat_id, typed.text
        words = text.split() if text else []
        if words and words[0].split("@")[0].lower() in DELETE_COMMANDS:
            await self.buttons.offer_deletion(chat_id, incoming=[typed.message_id])
            await mark_done(self.app, inbox_id)
            return
        settings = self.app.settings
        files = await download_attachments(
            self.application.bot, message, max_bytes=int(settings.conversations.max_attachment_mb * MB),
            allowed=DEFAULT_ALLOWED, keep_originals=settings.telegram.keep_originals,
        ) if message is not None else ()
        if isinstance(files, MediaError) or not (text or files):
            lang = await self.sender.lang(chat_id, typed.lang_hint)
            error = files if isinstance(files, MediaError) else MediaError(
                "telegram.error.unsupported")
            await self.sender.reply(chat_id, [Outbound(i18n.t(lang, error.key, **error.params))],
                                    incoming=[typed.message_id], lang=lang,
                                    keep_keyboard=True)
            await mark_done(self.app, inbox_id)
            return
        inbound = Inbound(ChannelKind.TELEGRAM, str(chat_id), text=text, attachments=files,
                          language_hint=typed.lang_hint, external_id=str(typed.update_id))
        replies = await self.app.engine.handle(inbound, inbox_id=inbox_id)
        # marked processed only with the sent replies: a crash before resends them
        await self.sender.reply(chat_id, replies, incoming=[typed.message_id],
                                answered=inbox_id)


def telegram_channels(app: App) -> list[TelegramChannel]:
    """The Telegram channel when WBS_TELEGRAM_TOKEN is set."""
    return [TelegramChannel(app)] if app.settings.telegram.enabled else []
