"""Inline button presses: answered at once (the spinner stops), stale buttons declined politely,
and the adapter's own "Hapus percakapan ini" (transcript deletion) buttons."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from telegram import CallbackQuery, Message, Update
from telegram.constants import ChatType
from telegram.error import BadRequest, NetworkError, TelegramError
from telegram.ext import ContextTypes

from bot import i18n
from bot.channels.telegram_render import MAX_TEXT, resolve_callback
from bot.channels.telegram_send import FORGET
from bot.engine.types import ChannelKind, Inbound, Option, Outbound
from storage.telegram_chats import take_transcript

if TYPE_CHECKING:
    from bot.channels.telegram import TelegramChannel

log = logging.getLogger(__name__)
FORGET_YES, FORGET_NO = f"{FORGET}:yes", f"{FORGET}:no"
DELETE_BATCH = 100  # deleteMessages takes at most 100 ids


class ButtonHandler:
    """Handles callback queries from private chats (groups are left to officer handlers)."""

    def __init__(self, channel: TelegramChannel) -> None:
        self.channel = channel
        self.sender = channel.sender
        self._answered: set[str] = set()

    async def on_press(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Answer the press; run the option through the engine if its keyboard is current."""
        query = update.callback_query
        message = query.message if query else None
        if query is None or message is None or message.chat.type != ChatType.PRIVATE:
            return
        inbox_id, chat_id, data = self.channel.take_inbox(update), message.chat.id, query.data or ""
        hint = query.from_user.language_code
        try:
            if data.startswith(FORGET):
                await self._transcript_button(query, chat_id, data)
                return
            offered = await self.sender.offered(chat_id, message.message_id)
            option = resolve_callback(data, offered) if offered is not None else None
            if option is None:
                lang = await self.sender.lang(chat_id, hint)
                await self.answer(query, i18n.t(lang, "telegram.button.stale"))
                await self.close_keyboard(message)
                return
            await self.answer(query)
            await self.close_keyboard(message, chosen=button_label(message, data))
            inbound = Inbound(ChannelKind.TELEGRAM, str(chat_id), option=option,
                              language_hint=hint, external_id=str(update.update_id))
            replies = await self.channel.app.engine.handle(inbound, inbox_id=inbox_id)
            # the row is marked processed with the sent replies, not before
            done, inbox_id = inbox_id, None
            await self.sender.reply(chat_id, replies, answered=done)
        finally:
            await self.answer(query)  # always, so the spinner stops; no-op if answered
            self._answered.discard(query.id)
            await self.channel.mark_done(inbox_id)

    async def answer(self, query: CallbackQuery, text: str | None = None) -> None:
        """Answer a press once; a press replayed after a restart is too old to answer (fine)."""
        if query.id in self._answered:
            return
        self._answered.add(query.id)
        try:
            await self.sender.calls.answer_press(query.id, text)
        except TelegramError as exc:
            log.info("could not answer a button press: %s", type(exc).__name__)

    async def close_keyboard(self, message: object, *, chosen: str | None = None) -> None:
        """Take the buttons off a message, showing the choice made when there is room."""
        if not isinstance(message, Message):  # too old: Telegram sent no content
            return
        text = message.text or ""
        edited = f"{text}\n\n✅ {chosen}" if chosen and text else None
        try:
            await self.sender.calls.edit(message.chat.id, message.message_id,
                                         text=edited if edited and len(edited) <= MAX_TEXT else None)
        except BadRequest as exc:  # already edited, or too old to edit
            log.debug("keyboard not removed: %s", exc.message[:80])

    async def _transcript_button(self, query: CallbackQuery, chat_id: int, data: str) -> None:
        if data == FORGET_YES:
            await self.answer(query)
            await self.forget(chat_id)
        elif data == FORGET_NO:
            lang = await self.sender.lang(chat_id, query.from_user.language_code)
            await self.answer(query, i18n.t(lang, "telegram.transcript.kept"))
            await self.close_keyboard(query.message)
        else:
            await self.answer(query)
            await self.offer_deletion(chat_id)

    async def offer_deletion(self, chat_id: int, *, incoming: list[int] | None = None) -> None:
        """Ask before deleting: the receipt (code and secret) goes too."""
        lang = await self.sender.lang(chat_id)
        confirm = Outbound(i18n.t(lang, "telegram.transcript.confirm"), (
            Option(FORGET_YES, i18n.t(lang, "telegram.transcript.yes")),
            Option(FORGET_NO, i18n.t(lang, "telegram.transcript.no")),
        ))
        await self.sender.reply(chat_id, [confirm], incoming=incoming or [], lang=lang,
                                keep_keyboard=True)

    async def forget(self, chat_id: int) -> None:
        """Delete every tracked message of the chat (both sides), then leave a short note."""
        app = self.channel.app
        lang = await self.sender.lang(chat_id)
        digest, now = self.sender.digest(chat_id), app.services.clock()
        ids = await app.db.write(lambda s: take_transcript(session=s, digest=digest, now=now))
        bot = self.channel.application.bot
        for start in range(0, len(ids), DELETE_BATCH):
            batch = ids[start:start + DELETE_BATCH]
            try:
                await bot.delete_messages(chat_id, batch)
            except BadRequest as exc:
                log.warning("deleteMessages refused: %s", exc.message[:80])
            except NetworkError:
                await self.sender.record(chat_id, ids[start:])  # keep them for another try
                raise
        await self.sender.reply(chat_id, [Outbound(i18n.t(lang, "telegram.transcript.deleted"))],
                                lang=lang)


def button_label(message: Message, data: str) -> str | None:
    """The text of the button with this callback data on the message."""
    markup = message.reply_markup
    for row in markup.inline_keyboard if markup else ():
        for button in row:
            if button.callback_data == data:
                return button.text
    return None
