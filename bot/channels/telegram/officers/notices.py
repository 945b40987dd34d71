"""The outbox channel of scheduled notices (digests, SLA reminders, escalations), delivered by
the officers' Telegram bot: digests into the officers' chat (General topic) or the escalation
chat, a reminder into its ticket's topic, an escalation into the escalation chat.

The texts are rendered by `handlers.jobs` and hold codes, categories and ages only."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from aiohttp import web

from bot.app import App
from bot.channels.base import Delivery
from bot.channels.telegram.officers.post import officers_delivery
from bot.channels.telegram.officers.receive import TelegramOfficers
from handlers.engine.types import Outbound
from handlers.jobs import ESCALATION, NOTICE_CHANNEL, REMINDER_PURPOSE
from storage import tickets
from storage.outbox import PendingMessage

log = logging.getLogger(__name__)


class TelegramNotices:
    """Delivers the `team_notice` outbox channel through the officers' desk poster."""

    name = NOTICE_CHANNEL

    def __init__(self, app: App, officers: TelegramOfficers) -> None:
        self.app = app
        self.poster = officers.poster

    def routes(self) -> list[web.RouteDef]:
        """No endpoints."""
        return []

    async def start(self) -> None:
        """Nothing to start: the officers' channel runs the bot."""

    async def stop(self) -> None:
        """Nothing to stop."""

    async def deliver(self, message: PendingMessage) -> Delivery:
        """Post one notice; Telegram's rate limits and network errors mean "try again"."""
        return await officers_delivery(self._post(message), purpose=message.purpose)

    async def _post(self, message: PendingMessage) -> Delivery:
        text = [Outbound(str(message.payload["text"]))]
        if message.purpose == REMINDER_PURPOSE:
            ticket_id = str(message.ticket_id)
            ticket = await self.app.db.read(lambda s: tickets.get_ticket(session=s,
                                                                         ticket_id=ticket_id))
            if ticket is None:
                return Delivery.failed("gone")
            ids = await self.poster.post(ticket, text)  # its topic, in whichever chat it lives
            return Delivery.sent(ids)
        cfg = self.app.settings.officers
        chat = cfg.escalation_chat_id if message.handle == ESCALATION else cfg.chat_id
        if chat is None:
            return Delivery.failed("no-chat")
        ids = await self.poster.send(chat, None, text, None)  # not a handle on the ticket
        return Delivery.sent(ids)


def notice_channels(channels: Sequence[object], app: App) -> list[TelegramNotices]:
    """The notice channel when the officers' Telegram channel runs."""
    return [TelegramNotices(app, c) for c in channels if isinstance(c, TelegramOfficers)]
