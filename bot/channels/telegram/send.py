"""Sending to a Telegram chat: replies, deferred replies through the durable outbox, outbox
delivery, and the bookkeeping of message ids (both sides) for transcript deletion."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import ExtBot

from bot.app import App
from bot.channels.base import Delivery
from bot.channels.inbox import mark_done_in
from bot.channels.telegram.api import BotCalls
from bot.channels.telegram.limits import retry_after_seconds
from bot.channels.telegram.render import chunks, keyboard_tag, resolve_callback, split_callback
from handlers import i18n
from handlers.engine.types import ChannelKind, Outbound, outbound_from_dict, outbound_to_dict
from storage import outbox
from storage.crypto import handle_digest
from storage.outbox import PendingMessage
from storage.telegram_chats import ChatView, chat_view, record_messages

log = logging.getLogger(__name__)
CHANNEL = ChannelKind.TELEGRAM.value
REPLY_PURPOSE = "telegram_reply"
FORGET = "tg:forget"  # adapter-owned callback data (transcript deletion), never seen by the engine


def to_payload(message: Outbound) -> dict[str, Any]:
    """An Outbound as outbox JSON (files are not queued; they are sent live only)."""
    return outbound_to_dict(replace(message, attachments=()))


@dataclass(frozen=True, slots=True)
class Sent:
    """What one Outbound became: its message ids and, if it had options, its keyboard."""

    message_ids: list[int]
    keyboard: tuple[int, list[str]] | None


class TelegramSender:
    """Puts Outbound messages into chats and remembers their ids (never their content)."""

    def __init__(self, app: App, bot: ExtBot[Any]) -> None:
        self.app = app
        self.bot = bot
        self.calls = BotCalls(bot)
        # which keyboard is current, per chat digest: the database's, as last written or read
        # here, so a button press need not read it back (a miss or a mismatch still reads)
        self._keyboards: OrderedDict[str, tuple[int | None, tuple[str, ...]]] = OrderedDict()

    def digest(self, chat_id: int) -> str:
        """HMAC(telegram:chat id), the key of the conversation and of the chat's bookkeeping."""
        return handle_digest(self.app.services.ring, CHANNEL, str(chat_id))

    async def view(self, chat_id: int) -> ChatView:
        """The chat's current keyboard and language, from the database."""
        digest = self.digest(chat_id)
        view = await self.app.db.read(lambda s: chat_view(session=s, digest=digest))
        self._remember(digest, (view.keyboard_message_id, view.keyboard))
        return view

    def cached_offer(self, chat_id: int, message_id: int) -> tuple[str, ...] | None:
        """The option ids on message `message_id` if the cache knows it as the current one."""
        known = self._keyboards.get(self.digest(chat_id))
        return known[1] if known is not None and known[0] == message_id else None

    async def pressed(self, chat_id: int, message_id: int, data: str) -> str | None:
        """The option a press on message `message_id` chose, or None when its keyboard is
        stale. Judged by what was sent, not by who sent it: the keyboard recorded as current
        (the cache first), else the tag in the data against the conversation's version, so a
        press that reaches a worker before the sender has recorded its keyboard still counts."""
        if (known := self.cached_offer(chat_id, message_id)) is not None:
            return resolve_callback(data, known)
        view = await self.view(chat_id)
        if view.keyboard_message_id == message_id:
            return resolve_callback(data, view.keyboard)
        option, tag = split_callback(data)
        current = view.version is not None and tag == keyboard_tag(view.version)
        return option if current and not option.startswith("#") else None

    def tag(self, chat_id: int) -> str | None:
        """The tag for a keyboard sent now: the conversation's version as this worker's last
        turn left it (None when unknown here: then only the recorded message id counts)."""
        conv = self.app.engine.cache.get(self.digest(chat_id))
        return keyboard_tag(conv.version) if conv is not None else None

    def _remember(self, digest: str, keyboard: tuple[int | None, tuple[str, ...]]) -> None:
        self._keyboards[digest] = keyboard
        self._keyboards.move_to_end(digest)
        while len(self._keyboards) > max(1, self.app.settings.conversations.cache_size):
            self._keyboards.popitem(last=False)

    async def lang(self, chat_id: int, hint: str | None = None) -> str:
        """The reporter's language: chosen in the conversation, else Telegram's, else default."""
        chosen = (await self.view(chat_id)).lang
        return chosen or i18n.normalise_language(hint, self.app.settings.office.default_language)

    async def reply(self, chat_id: int, messages: Sequence[Outbound], *,
                    incoming: Sequence[int] = (), lang: str | None = None,
                    keep_keyboard: bool = False, answered: str | None = None) -> None:
        """Send replies now; what Telegram refuses for the moment goes to the outbox.

        The keyboard of the last reply with options becomes the current one; without any,
        older buttons turn stale unless `keep_keyboard` (a side remark, not a new step).
        `answered` is the inbox row these replies answer: marked processed in the same write.
        """
        sent_ids, keyboard = list(incoming), None
        for index, message in enumerate(messages):
            try:
                sent = await self.send(chat_id, message, lang=lang)
            except RetryAfter as exc:
                await self._defer(chat_id, messages[index:], retry_after_seconds(exc), "429")
                break
            except BadRequest as exc:  # a subclass of NetworkError: this message only
                log.warning("telegram refused a reply: %s", exc.message[:80])
                continue
            except NetworkError as exc:
                await self._defer(chat_id, messages[index:], 0, type(exc).__name__)
                break
            except Forbidden:
                log.info("reporter blocked the bot; reply dropped")
                break
            sent_ids += sent.message_ids
            keyboard = sent.keyboard or keyboard
        await self.record(chat_id, sent_ids, keyboard=keyboard,
                          clear_keyboard=keyboard is None and not keep_keyboard,
                          answered=answered)

    async def send(self, chat_id: int, message: Outbound, *, lang: str | None = None) -> Sent:
        """Send one Outbound (split, keyboard under the last part, files after it)."""
        extra = []
        if message.offer_transcript_deletion:
            label = i18n.t(lang or await self.lang(chat_id), "telegram.transcript.button")
            extra.append((label, FORGET))
        # the adapter's own buttons (tg:...) never make the engine's keyboard stale
        offered = [o.id for o in message.options if not o.id.startswith("tg:")]
        ids = []
        tag = self.tag(chat_id) if offered else None  # the adapter's own stay untagged
        for chunk in chunks(message.text, message.options, extra, tag):
            ids.append(await self.calls.send_message(chat_id, chunk.text,
                                                     reply_markup=chunk.keyboard))
        for attachment in message.attachments:
            sent = await self.bot.send_document(chat_id, attachment.data,
                                                filename=attachment.filename)
            ids.append(sent.message_id)
        keyboard_id = ids[-1 - len(message.attachments)]
        return Sent(ids, (keyboard_id, offered) if offered else None)

    async def record(self, chat_id: int, message_ids: list[int], *,
                     keyboard: tuple[int, list[str]] | None = None,
                     clear_keyboard: bool = False, answered: str | None = None) -> None:
        """Remember message ids (for transcript deletion) and which keyboard is current;
        mark the inbox row `answered` processed in the same write."""
        if not message_ids and keyboard is None and not clear_keyboard and answered is None:
            return
        digest, now = self.digest(chat_id), self.app.services.clock()

        async def write(session: AsyncSession) -> None:
            await record_messages(session=session, digest=digest, message_ids=message_ids,
                                  now=now, keyboard=keyboard, clear_keyboard=clear_keyboard)
            await mark_done_in(session, answered, now)

        await self.app.db.write(write)  # the cache follows once the database has it
        if keyboard is not None:
            self._remember(digest, (keyboard[0], tuple(keyboard[1])))
        elif clear_keyboard:
            self._remember(digest, (None, ()))

    async def _defer(self, chat_id: int, messages: Sequence[Outbound], delay: float,
                     error: str) -> None:
        """Queue unsent replies in the durable outbox, due after `delay` seconds."""
        svc = self.app.services
        now = svc.clock()

        async def queue(session: AsyncSession) -> None:
            for message in messages:
                row_id = await outbox.enqueue(
                    session=session, ring=svc.ring, channel=CHANNEL, handle=str(chat_id),
                    purpose=REPLY_PURPOSE, payload=to_payload(message), now=now)
                if delay:
                    await outbox.mark_retry(session=session, outbox_id=row_id, now=now,
                                            delay=timedelta(seconds=delay), error=error)

        await svc.db.write(queue)
        log.info("reply deferred to the outbox (%s)", error)
        svc.poke_outbox()

    async def deliver(self, message: PendingMessage) -> Delivery:
        """Outbox delivery: payload {"text", "options": [[id, label]], ...} to chat `handle`."""
        try:
            chat_id = int(message.handle)
            sent = await self.send(chat_id, outbound_from_dict(message.payload))
            # officer-side hook (handlers/reporter_notices.py): files an officer sent in the
            # ticket's topic are copied (copyMessage, never forwardMessage: no sender shown)
            for from_chat, message_id in message.payload.get("copy") or ():
                copied = await self.bot.copy_message(chat_id, from_chat, message_id,
                                                     caption=message.payload.get("copy_caption"))
                sent.message_ids.append(copied.message_id)
        except RetryAfter as exc:
            return Delivery.retry(retry_after_seconds(exc), "429")
        except Forbidden:
            return Delivery.failed("403")
        except BadRequest:
            return Delivery.failed("400")
        except NetworkError as exc:
            return Delivery.retry(0, type(exc).__name__)  # 0: the sender backs off
        except (TelegramError, ValueError, KeyError) as exc:
            return Delivery.failed(type(exc).__name__)
        await self.record(chat_id, sent.message_ids, keyboard=sent.keyboard)
        return Delivery.sent(sent.message_ids)
