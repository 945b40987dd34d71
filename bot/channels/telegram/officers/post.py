"""Posting into the officers' chat: a forum topic per ticket (recreated when deleted), or
plain messages when the chat is no forum; every bot message is mapped to its ticket so a
reply to it is tied to the ticket (the map is the only link, text is never parsed)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, TelegramError
from telegram.ext import ExtBot

from bot.app import App
from bot.channels.telegram.api import BotCalls
from bot.channels.telegram.render import chunks
from handlers import i18n
from handlers.engine.types import Attachment, Outbound
from handlers.gift_clock import load_calendar
from handlers.officer_views import header, sla_due, topic_name
from storage import officers, tickets
from storage.models import Ticket, TicketDesk

log = logging.getLogger(__name__)
VIEW_BUTTON, STATUS_MENU = "lh", "sm"  # header buttons: "lh:<code>" opens, "sm:<code>" statuses


def topic_gone(exc: BadRequest) -> bool:
    """Telegram's answer when a message goes to a forum topic that no longer exists."""
    text = exc.message.lower()
    return "thread not found" in text or "topic_deleted" in text or "topic_id_invalid" in text


class DeskPoster:
    """Knows where each ticket lives in which chat and puts messages there."""

    def __init__(self, app: App, bot: ExtBot[Any]) -> None:
        self.app = app
        self.bot = bot
        self.calls = BotCalls(bot)
        self.forum: dict[int, bool] = {}  # chat id -> is a forum (learnt at start)

    @property
    def lang(self) -> str:
        """Officers read the office's default language."""
        return self.app.settings.office.default_language

    def chat_for(self, ticket: Ticket) -> int | None:
        """Conflict-of-interest tickets go to the escalation chat, never the team's."""
        settings = self.app.settings
        return settings.officers.escalation_chat_id if ticket.conflict_of_interest else \
            settings.officers.chat_id

    async def learn_chats(self) -> None:
        """Ask Telegram which of our chats are forums (topics) and which are plain groups."""
        officers = self.app.settings.officers
        for chat_id in {c for c in (officers.chat_id, officers.escalation_chat_id) if c is not None}:
            try:
                chat = await self.bot.get_chat(chat_id)
                self.forum[chat_id] = bool(chat.is_forum)
            except TelegramError as exc:  # wrong id, bot not a member, network: start anyway
                log.warning("officers' chat not reachable (%s); check the chat id and the bot's "
                            "rights", type(exc).__name__)

    async def place(self, ticket: Ticket, *, recreate: bool = False) -> TicketDesk | None:
        """The ticket's place (topic + header), created on first use or after deletion."""
        desk = await self.app.db.read(lambda s: officers.desk(session=s, ticket_id=ticket.id))
        if desk is not None and not recreate:
            return desk
        chat_id = self.chat_for(ticket)
        if chat_id is None:
            return None
        thread_id = None
        if self.forum.get(chat_id, True):
            try:
                topic = await self.bot.create_forum_topic(chat_id, topic_name(self.lang, ticket))
                thread_id = topic.message_thread_id
            except BadRequest:  # not a forum (any more) or no right to manage topics
                self.forum[chat_id] = False
        settings = self.app.settings
        calendar = await self.app.db.read(lambda s: load_calendar(session=s, settings=settings))
        text = header(self.lang, ticket, settings, sla_due(ticket, settings, calendar))
        if recreate:
            text = i18n.t(self.lang, "officer.topic.recreated") + "\n\n" + text
        buttons = InlineKeyboardMarkup([[
            InlineKeyboardButton(i18n.t(self.lang, "officer.button.view"),
                                 callback_data=f"{VIEW_BUTTON}:{ticket.code}"),
            InlineKeyboardButton(i18n.t(self.lang, "officer.button.status"),
                                 callback_data=f"{STATUS_MENU}:{ticket.code}")]])
        sent = await self.bot.send_message(chat_id, text, message_thread_id=thread_id,
                                           reply_markup=buttons)
        now = self.app.services.clock()

        async def write(s: AsyncSession) -> TicketDesk:
            await officers.map_messages(session=s, chat_id=chat_id, message_ids=[sent.message_id],
                                        ticket_id=ticket.id, now=now)
            return await officers.place_ticket(session=s, ticket_id=ticket.id, chat_id=chat_id,
                                               thread_id=thread_id,
                                               header_message_id=sent.message_id, now=now)

        return await self.app.db.write(write)

    async def post(self, ticket: Ticket, messages: Sequence[Outbound]) -> list[int]:
        """Put messages into the ticket's topic (recreating a deleted one once)."""
        desk = await self.place(ticket)
        if desk is None:
            return []
        try:
            return await self.send(desk.chat_id, desk.thread_id, messages, ticket.id)
        except BadRequest as exc:
            if desk.thread_id is None or not topic_gone(exc):
                raise
        desk = await self.place(ticket, recreate=True)
        assert desk is not None
        return await self.send(desk.chat_id, desk.thread_id, messages, ticket.id)

    async def send(self, chat_id: int, thread_id: int | None, messages: Sequence[Outbound],
                   ticket_id: str | None) -> list[int]:
        """Send to a chat (and topic); map the message ids to the ticket, if there is one."""
        ids: list[int] = []
        for message in messages:
            for chunk in chunks(message.text, message.options):
                ids.append(await self.calls.send_message(
                    chat_id, chunk.text, message_thread_id=thread_id, reply_markup=chunk.keyboard))
            for file in message.attachments:
                sent = await self.bot.send_document(chat_id, file.data, filename=file.filename,
                                                    message_thread_id=thread_id)
                ids.append(sent.message_id)
        if ticket_id is not None and ids:
            now = self.app.services.clock()
            await self.app.db.write(lambda s: officers.map_messages(
                session=s, chat_id=chat_id, message_ids=ids, ticket_id=ticket_id, now=now))
        return ids

    async def reporter_message(self, ticket: Ticket, message_id: str | None) -> list[int]:
        """The reporter's follow-up (text and files) in the ticket's topic."""
        ring = self.app.services.ring

        async def load(s: AsyncSession) -> tuple[str, list[tickets.StoredFile]]:
            entries = await tickets.thread(session=s, ring=ring, ticket=ticket)
            text = next((e.text for e in entries if e.id == message_id), "")
            files = (await tickets.attachments(session=s, ring=ring, ticket=ticket,
                                               message_id=message_id)) if message_id else []
            return text, files

        text, files = await self.app.db.read(load)
        body = i18n.t(self.lang, "officer.reporter_message", code=ticket.code, text=text,
                      count=len(files))
        attached = tuple(Attachment(f.name, f.content_type, f.data) for f in files)
        return await self.post(ticket, [Outbound(body, attachments=attached)])

