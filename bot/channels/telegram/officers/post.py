"""Posting into the officers' chat: a forum topic per ticket (recreated when deleted), or
plain messages when the chat is no forum; every bot message is mapped to its ticket so a
reply to it is tied to the ticket (the map is the only link, text is never parsed)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter
from telegram.ext import ExtBot

from bot.app import App
from bot.channels.base import Delivery
from bot.channels.telegram.api import BotCalls
from bot.channels.telegram.limits import retry_after_seconds
from bot.channels.telegram.render import chunks
from handlers import i18n
from handlers.engine.types import Attachment, Outbound
from handlers.gift_clock import load_calendar
from handlers.officer_views import header, quote_reporter, sla_due, topic_name
from storage import officers, tickets
from storage.models import Ticket, TicketDesk

log = logging.getLogger(__name__)
VIEW_BUTTON, STATUS_MENU = "lh", "sm"  # header buttons: "lh:<code>" opens, "sm:<code>" statuses
CLAIM_SECONDS = 60  # a claimed place left without its header this long is taken over
CLAIM_POLLS, CLAIM_POLL_SECONDS = 50, 0.1  # how long another worker's opening is waited for


def topic_gone(exc: BadRequest) -> bool:
    """Telegram's answer when a message goes to a forum topic that no longer exists."""
    text = exc.message.lower()
    return "thread not found" in text or "topic_deleted" in text or "topic_id_invalid" in text


class PlaceBusy(Exception):  # noqa: N818 - a state, not an error
    """Another worker is opening the ticket's place right now: try again a little later."""


async def officers_delivery(post: Awaitable[Delivery], *, purpose: str) -> Delivery:
    """An outbox delivery into the officers' chats: Telegram's answers mapped to the outbox's
    (a topic being opened by another worker, rate limits and network errors mean "try again")."""
    try:
        return await post
    except PlaceBusy:  # another worker is opening the ticket's topic
        return Delivery.retry(1, "busy")
    except RetryAfter as exc:
        return Delivery.retry(retry_after_seconds(exc), "429")
    except Forbidden:
        return Delivery.failed("403")
    except BadRequest as exc:
        log.warning("officers' chat refused a %s message: %s", purpose, exc.message[:80])
        return Delivery.failed("400")
    except NetworkError as exc:
        return Delivery.retry(0, type(exc).__name__)


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
        """Ask Telegram which of our chats are forums (topics) and which are plain groups;
        any error is logged by its type and the bot starts anyway (forum assumed)."""
        officers = self.app.settings.officers
        for chat_id in {c for c in (officers.chat_id, officers.escalation_chat_id) if c is not None}:
            try:
                chat = await self.bot.get_chat(chat_id)
                self.forum[chat_id] = bool(chat.is_forum)
            except Exception as exc:  # wrong id, no rights, network, a malformed answer
                log.warning("officers' chat not reachable (%s); check the chat id and the bot's "
                            "rights", type(exc).__name__)

    async def place(self, ticket: Ticket, *, gone_thread: int | None = None) -> TicketDesk | None:
        """The ticket's place (topic + header), opened once whichever worker asks first.

        The desk row is claimed before a topic is created (insert-or-nothing), so two
        workers delivering posts about one ticket never open two topics: the other waits
        for the topic and posts into it. `gone_thread`: that topic was deleted; the worker
        whose compare-and-set wins opens a new one, the others use it."""
        if gone_thread is None:  # the usual case: long opened, a read is enough
            known = await self.app.db.read(lambda s: officers.desk(session=s, ticket_id=ticket.id))
            if known is not None and known.header_message_id is not None:
                return known
        chat_id = self.chat_for(ticket)
        desk = await self._claimed(ticket, chat_id, gone_thread)
        for _ in range(CLAIM_POLLS):
            if desk is None or desk[1]:
                break
            row = desk[0]
            if row.header_message_id is not None or row.thread_id is not None:
                return row  # opened (or its topic exists): post there
            await asyncio.sleep(CLAIM_POLL_SECONDS)  # another worker is opening it
            desk = await self._claimed(ticket, chat_id, None)
        if desk is None:
            return None
        row, mine = desk
        if not mine:
            if row.header_message_id is not None or row.thread_id is not None:
                return row
            raise PlaceBusy  # still being opened elsewhere: the outbox tries again later
        return await self._open(ticket, row, recreated=gone_thread is not None)

    async def _claimed(self, ticket: Ticket, chat_id: int | None,
                       gone_thread: int | None) -> tuple[TicketDesk, bool] | None:
        """The desk row and whether this call claimed it (to open the topic and header)."""
        now = self.app.services.clock()
        stale = now - timedelta(seconds=CLAIM_SECONDS)

        async def claim(s: AsyncSession) -> tuple[TicketDesk, bool] | None:
            if chat_id is None:
                row = await officers.desk(session=s, ticket_id=ticket.id)
                return (row, False) if row is not None else None
            mine = await officers.claim_desk(session=s, ticket_id=ticket.id, chat_id=chat_id,
                                             now=now)
            if not mine and gone_thread is not None:
                mine = await officers.reclaim_desk(session=s, ticket_id=ticket.id, chat_id=chat_id,
                                                   gone_thread_id=gone_thread, claimed_before=None,
                                                   now=now)
            if not mine:  # whoever claimed it died before the header was out
                mine = await officers.reclaim_desk(session=s, ticket_id=ticket.id, chat_id=chat_id,
                                                   gone_thread_id=None, claimed_before=stale,
                                                   now=now)
            row = await officers.desk(session=s, ticket_id=ticket.id)
            if row is not None:
                await s.refresh(row)
            return (row, mine) if row is not None else None

        return await self.app.db.write(claim)

    async def _open(self, ticket: Ticket, desk: TicketDesk, *, recreated: bool) -> TicketDesk:
        """Create the claimed place's topic (recorded at once) and post its header."""
        chat_id, thread_id = desk.chat_id, desk.thread_id
        now = self.app.services.clock()
        if thread_id is None and self.forum.get(chat_id, True):
            try:
                topic = await self.bot.create_forum_topic(chat_id, topic_name(self.lang, ticket))
                thread_id = topic.message_thread_id
            except BadRequest:  # not a forum (any more) or no right to manage topics
                self.forum[chat_id] = False
            if thread_id is not None:
                opened = thread_id
                await self.app.db.write(lambda s: officers.place_topic(
                    session=s, ticket_id=ticket.id, chat_id=chat_id, thread_id=opened, now=now))
        settings = self.app.settings
        calendar = await self.app.db.read(lambda s: load_calendar(session=s, settings=settings))
        text = header(self.lang, ticket, settings, sla_due(ticket, settings, calendar))
        if recreated:
            text = i18n.t(self.lang, "officer.topic.recreated") + "\n\n" + text
        buttons = InlineKeyboardMarkup([[
            InlineKeyboardButton(i18n.t(self.lang, "officer.button.view"),
                                 callback_data=f"{VIEW_BUTTON}:{ticket.code}"),
            InlineKeyboardButton(i18n.t(self.lang, "officer.button.status"),
                                 callback_data=f"{STATUS_MENU}:{ticket.code}")]])
        sent = await self.bot.send_message(chat_id, text, message_thread_id=thread_id,
                                           reply_markup=buttons)

        async def write(s: AsyncSession) -> TicketDesk | None:
            await officers.map_messages(session=s, chat_id=chat_id, message_ids=[sent.message_id],
                                        ticket_id=ticket.id, now=now)
            await officers.place_header(session=s, ticket_id=ticket.id,
                                        header_message_id=sent.message_id)
            return await officers.desk(session=s, ticket_id=ticket.id)

        placed = await self.app.db.write(write)
        assert placed is not None
        return placed

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
        desk = await self.place(ticket, gone_thread=desk.thread_id)
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
        key = "officer.reporter_message" if files else "officer.reporter_message.no_files"
        body = i18n.t(self.lang, key, code=ticket.code, text=quote_reporter(text), count=len(files))
        attached = tuple(Attachment(f.name, f.content_type, f.data) for f in files)
        return await self.post(ticket, [Outbound(body, attachments=attached)])

