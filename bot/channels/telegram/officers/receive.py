"""The officer side on Telegram: the "team" channel of the outbox (new tickets, reporters'
follow-ups, failed deliveries into the ticket's forum topic) and the officers' messages,
commands and button presses, from the officers' chat (WBS_OFFICERS_CHAT_ID), the escalation
chat (WBS_ESCALATION_CHAT_ID) and officers' private chats.

Rides on the Telegram channel: same bot, same inbox. Its PTB handlers sit in a group that
runs before the citizens' handlers, so an officer command in a private chat never reaches the
complaint flows; anything from someone not on the allow-list is ignored (citizens' private
messages go on to the citizens' handlers untouched).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from datetime import date

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Message, Update, User
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    ApplicationHandlerStop,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.app import App
from bot.channels.base import Delivery
from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.officers.post import (
    STATUS_MENU,
    VIEW_BUTTON,
    DeskPoster,
    PlaceBusy,
    officers_delivery,
)
from handlers import i18n
from handlers import officer as commands
from handlers.engine.types import Outbound
from handlers.events import REPORTER_MESSAGE, TEAM_CHANNEL, TICKET_NEW
from handlers.officer_desk import DeskResult, OfficerAction, Place
from handlers.officer_ticket import STATUS_BUTTON
from handlers.reporter_notices import REPORTER_PURPOSES
from storage import officers, outbox, tickets
from storage.models import Officer, Ticket
from storage.outbox import PendingMessage

log = logging.getLogger(__name__)
OFFICER_GROUP = -1  # before the citizens' handlers (group 0)
# team event queued by the sweep for every reporter message whose outbox row failed for good
# (Telegram 403, a WhatsApp "failed" receipt that the WhatsApp adapter marks on the row)
DELIVERY_FAILED = "team:delivery_failed"
HINTS_KEPT = 1000  # outsiders remembered as hinted today (in memory: a restart may hint again)
BUTTONS = rf"^({STATUS_BUTTON}|{VIEW_BUTTON}|{STATUS_MENU}):"


def command_of(text: str) -> tuple[str, str] | None:
    """"/status@wbs_bot selesai" -> ("status", "selesai"); None for plain text."""
    if not text.startswith("/"):
        return None
    head, _, rest = text.partition(" ")
    return head[1:].split("@", 1)[0].lower(), rest.strip()


class TelegramOfficers:
    """The "team" outbox channel and the officers' side of the Telegram bot."""

    name = TEAM_CHANNEL

    def __init__(self, app: App, telegram: TelegramChannel) -> None:
        self.app = app
        self.telegram = telegram
        self.bot = telegram.application.bot
        self.poster = DeskPoster(app, self.bot)
        settings = app.settings
        self.chats = {c for c in (settings.officers.chat_id, settings.officers.escalation_chat_id) if c}
        for chat_id in self.chats:
            telegram.route_group(chat_id)
        telegram.claim_presses(BUTTONS)  # officers press them in private chats too
        application = telegram.application
        application.add_handler(CallbackQueryHandler(self.on_press, pattern=BUTTONS),
                                group=OFFICER_GROUP)
        application.add_handler(MessageHandler(filters.Chat(list(self.chats)), self.on_group),
                                group=OFFICER_GROUP)
        application.add_handler(MessageHandler(filters.ChatType.PRIVATE & filters.COMMAND,
                                               self.on_private_command), group=OFFICER_GROUP)
        self._sweeper: asyncio.Task[None] | None = None
        self._hinted: dict[int, date] = {}  # outsider's user id -> day of their last hint

    # -- lifecycle (the Telegram channel starts the bot itself) ------------------------------
    def routes(self) -> list[web.RouteDef]:
        """No endpoints of its own: updates come through the Telegram channel."""
        return []

    async def start(self) -> None:
        """Learn which chats are forums; watch for reporter messages that failed."""
        await self.poster.learn_chats()
        self._sweeper = asyncio.get_running_loop().create_task(self._sweep(), name="desk-sweep")

    async def open(self) -> None:
        """Learn which chats are forums, without watching (`wbs inbox retry`)."""
        await self.poster.learn_chats()

    async def close(self) -> None:
        """Nothing to undo: the Telegram channel closes the bot."""

    async def stop(self) -> None:
        """Stop watching."""
        if self._sweeper:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper

    async def _sweep(self) -> None:
        while True:
            try:
                await self.report_failed_deliveries()
            except Exception:
                log.exception("checking failed deliveries failed")
            await asyncio.sleep(self.app.settings.officers.failure_check_seconds)

    async def report_failed_deliveries(self) -> int:
        """Queue a notice in the ticket's topic for each reporter message that failed."""
        svc = self.app.services
        now = svc.clock()

        async def write(s: AsyncSession) -> int:
            failed = await officers.unreported_failures(session=s,
                                                        purposes=list(REPORTER_PURPOSES))
            for row in failed:
                await officers.mark_alerted(session=s, outbox_id=row.id, now=now)
                await outbox.enqueue(session=s, ring=svc.ring, channel=TEAM_CHANNEL,
                                     handle=TEAM_CHANNEL, purpose=DELIVERY_FAILED, now=now,
                                     ticket_id=row.ticket_id,
                                     payload={"ticket_id": row.ticket_id,
                                              "error": row.last_error or "failed"})
            return len(failed)

        count = await svc.db.write(write)
        if count:
            svc.poke_outbox()
        return count

    # -- the outbox channel "team" -------------------------------------------------------------
    async def deliver(self, message: PendingMessage) -> Delivery:
        """Post a team event into the ticket's topic."""
        ticket_id = str(message.payload.get("ticket_id") or message.ticket_id)
        ticket = await self.app.db.read(lambda s: tickets.get_ticket(session=s, ticket_id=ticket_id))
        if ticket is None:
            return Delivery.failed("gone")
        if self.poster.chat_for(ticket) is None:
            log.warning("no chat configured for a %s ticket", "conflict-of-interest"
                        if ticket.conflict_of_interest else "team")
            return Delivery.failed("no-chat")
        return await officers_delivery(self._sent(ticket, message), purpose=message.purpose)

    async def _sent(self, ticket: Ticket, message: PendingMessage) -> Delivery:
        return Delivery.sent(await self._post_event(ticket, message))

    async def _post_event(self, ticket: Ticket, message: PendingMessage) -> list[int]:
        """Post one team event; returns the ids of the messages it became (for the outbox)."""
        lang = self.poster.lang
        if message.purpose == TICKET_NEW:
            desk = await self.poster.place(ticket)
            return [desk.header_message_id] if desk and desk.header_message_id else []
        if message.purpose == REPORTER_MESSAGE:
            return await self.poster.reporter_message(ticket, message.payload.get("message_id"))
        if message.purpose == DELIVERY_FAILED:
            error = str(message.payload.get("error") or "failed")
            return await self.poster.post(ticket, [Outbound(i18n.t(
                lang, "officer.delivery_failed", code=ticket.code, error=error))])
        log.warning("unknown team event %s", message.purpose)
        return []

    # -- officers' updates ---------------------------------------------------------------------
    async def officer(self, user: User | None) -> Officer | None:
        """The allow-listed officer behind a Telegram user, else None."""
        if user is None or user.is_bot:
            return None
        found = await self.app.db.read(lambda s: officers.officer_by_telegram_id(
            session=s, telegram_user_id=user.id))
        # the inbox keeps no names (trim_update): a missing username never erases the stored one
        if found is not None and user.username and found.username != user.username:
            await self.app.db.write(lambda s: officers.remember_username(
                session=s, officer_id=found.id, username=user.username))
        return found

    def place_of(self, chat_id: int) -> Place:
        """Which desk a chat is."""
        return "escalation" if chat_id == self.app.settings.officers.escalation_chat_id else (
            "team" if chat_id in self.chats else "dm")

    async def ticket_of(self, message: Message) -> str | None:
        """The ticket a message in an officers' chat is about: its topic, else the mapped
        bot message it replies to."""
        chat_id = message.chat_id
        thread = message.message_thread_id if message.is_topic_message else None
        found = None
        if thread is not None:
            found = await self.app.db.read(lambda s: officers.ticket_for_thread(
                session=s, chat_id=chat_id, thread_id=thread))
        reply = message.reply_to_message
        if found is None and reply is not None:
            found = await self.app.db.read(lambda s: officers.ticket_for_message(
                session=s, chat_id=chat_id, message_id=reply.message_id))
        return found

    async def on_group(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A message in an officers' chat; nothing from these chats goes further."""
        if update.message is not None:
            await self.group_message(update.message)
        raise ApplicationHandlerStop

    async def group_message(self, message: Message) -> None:
        """A command, or a reply to relay to the reporter; non-officers are ignored."""
        officer = await self.officer(message.from_user)
        text = message.text or message.caption or ""
        parsed = command_of(text) if message.text else None
        has_file = bool(message.photo or message.document or message.voice or message.video
                        or message.audio)
        if not (text or has_file):
            return  # service messages (topic created, member joined)
        if officer is None:
            await self.hint_outsider(message.from_user)
            return
        action = OfficerAction(
            officer=officer, place=self.place_of(message.chat_id),
            command=parsed[0] if parsed else None, args=parsed[1] if parsed else text,
            ticket_id=await self.ticket_of(message),
            copy=((message.chat_id, message.message_id),) if has_file else ())
        await self.answer(message, await commands.handle(self.app.services, action))

    async def hint_outsider(self, user: User | None) -> None:
        """Tell someone not on the allow-list, privately and once a day, why the bot ignores
        them and which user id to give an admin; never a word in the group."""
        if user is None or user.is_bot:
            return
        today = self.app.services.clock().date()
        if self._hinted.get(user.id) == today:
            return
        if len(self._hinted) >= HINTS_KEPT:  # a new day, or a crowded group: start afresh
            self._hinted = {u: d for u, d in self._hinted.items() if d == today}
        self._hinted[user.id] = today
        text = i18n.t(self.poster.lang, "officer.outsider.hint", user_id=str(user.id))
        try:
            await self.bot.send_message(user.id, text)
        except TelegramError as exc:  # never started the bot (403), or any other refusal
            log.info("outsider hint not delivered (%s)", type(exc).__name__)

    async def on_private_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """An officer command in a private chat; anyone else's goes on to the citizens' flows."""
        message = update.message
        parsed = command_of(message.text or "") if message else None
        if message is None or parsed is None or parsed[0] not in commands.COMMANDS:
            return
        officer = await self.officer(message.from_user)
        if officer is None:
            return
        action = OfficerAction(officer=officer, place="dm", command=parsed[0], args=parsed[1])
        await self.answer(message, await commands.handle(self.app.services, action))
        raise ApplicationHandlerStop

    async def on_press(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Status and view buttons (officers only; a citizen never sees these buttons)."""
        query = update.callback_query
        if query is None or query.message is None:
            return
        officer = await self.officer(query.from_user)
        if officer is None and query.message.chat.id not in self.chats:
            return  # a citizen's private chat: not ours
        with contextlib.suppress(TelegramError):
            await query.answer()  # stop the spinner, for non-officers too
        if officer is None:
            raise ApplicationHandlerStop
        kind, _, rest = (query.data or "").partition(":")
        code, _, value = rest.partition(":")
        name = {STATUS_BUTTON: "status", VIEW_BUTTON: "lihat", STATUS_MENU: "status"}[kind]
        action = OfficerAction(officer=officer, place=self.place_of(query.message.chat.id),
                               command=name, args=f"{code} {value}".strip())
        await self.answer(query.message, await commands.handle(self.app.services, action))
        raise ApplicationHandlerStop

    async def answer(self, where: Message | object, result: DeskResult) -> None:
        """Render a command's result: in the ticket's topic when it concerns one, else where
        the officer asked (their private chat, or the same chat and topic)."""
        if not isinstance(where, Message):
            return
        ticket = None
        if result.ticket_id is not None:
            ticket_id = result.ticket_id
            ticket = await self.app.db.read(lambda s: tickets.get_ticket(session=s,
                                                                         ticket_id=ticket_id))
        try:
            if ticket is not None and where.chat.type != "private":
                await self.poster.post(ticket, result.messages)
                await self._topic(ticket, result.topic)
            elif result.messages:
                thread = where.message_thread_id if where.is_topic_message else None
                await self.poster.send(where.chat_id, thread, result.messages, result.ticket_id)
        except (TelegramError, PlaceBusy) as exc:
            log.warning("answer to an officer failed: %s", type(exc).__name__)

    async def _topic(self, ticket: Ticket, change: str | None) -> None:
        """Close or reopen the ticket's forum topic with its status."""
        desk = await self.app.db.read(lambda s: officers.desk(session=s, ticket_id=ticket.id))
        if change is None or desk is None or desk.thread_id is None:
            return
        with contextlib.suppress(BadRequest):
            if change == "close":
                await self.bot.close_forum_topic(desk.chat_id, desk.thread_id)
            else:
                await self.bot.reopen_forum_topic(desk.chat_id, desk.thread_id)


def officer_channels(app: App, channels: Sequence[object]) -> list[TelegramOfficers]:
    """The team channel when the Telegram bot runs and an officers' chat is configured."""
    settings = app.settings
    telegram = [c for c in channels if isinstance(c, TelegramChannel)]
    if not telegram or not (settings.officers.chat_id or settings.officers.escalation_chat_id):
        return []
    return [TelegramOfficers(app, telegram[0])]
