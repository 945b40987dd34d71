"""Inline button presses: answered at once (the spinner stops), stale buttons declined politely,
and the adapter's own "Hapus percakapan ini" (transcript deletion) buttons."""

from __future__ import annotations

import logging
from typing import Any

from telegram.error import BadRequest, NetworkError, TelegramError
from telegram.ext import ExtBot

from bot.app import App
from bot.channels.inbox import mark_done
from bot.channels.telegram.receive import Press
from bot.channels.telegram.render import MAX_TEXT, resolve_callback
from bot.channels.telegram.send import FORGET, TelegramSender
from handlers import i18n
from handlers.engine.types import ChannelKind, Inbound, Option, Outbound
from storage.telegram_chats import take_transcript

log = logging.getLogger(__name__)
FORGET_YES, FORGET_NO = f"{FORGET}:yes", f"{FORGET}:no"
DELETE_BATCH = 100  # deleteMessages takes at most 100 ids


class ButtonHandler:
    """Handles callback queries from private chats (groups are left to officer handlers).

    Needs the app (engine, database, clock), the chat's sender and PTB's bot (deleteMessages),
    not the channel: the channel hands each press over with the id of its inbox row.
    """

    def __init__(self, app: App, sender: TelegramSender, bot: ExtBot[Any]) -> None:
        self.app = app
        self.sender = sender
        self.bot = bot
        self._answered: set[str] = set()

    async def press(self, press: Press, inbox_id: str | None) -> None:
        """Answer the press, run its option if the keyboard is current, mark row `inbox_id` done."""
        chat_id, data = press.chat_id, press.data
        try:
            if data.startswith(FORGET):
                await self._transcript_button(press)
                return
            option = await self.sender.pressed(chat_id, press.message_id, data)
            if option is None:
                lang = await self.sender.lang(chat_id, press.lang_hint)
                await self.answer(press, i18n.t(lang, "telegram.button.stale"))
                await self.close_keyboard(press)
                return
            await self.answer(press)
            await self.close_keyboard(press, chosen=button_label(press))
            inbound = Inbound(ChannelKind.TELEGRAM, str(chat_id), option=option,
                              language_hint=press.lang_hint, external_id=str(press.update_id))
            replies = await self.app.engine.handle(inbound, inbox_id=inbox_id)
            # the row is marked processed with the sent replies, not before
            done, inbox_id = inbox_id, None
            await self.sender.reply(chat_id, replies, answered=done)
        except Exception:
            inbox_id = None  # failed: the channel tries it again or keeps it as a dead letter
            raise
        finally:
            await self.answer(press)  # always, so the spinner stops; no-op if answered
            self._answered.discard(press.query_id)
            await mark_done(self.app, inbox_id)

    def answer_in_webhook(self, press: Press) -> dict[str, str] | None:
        """The answerCallbackQuery to put in the webhook's response (a Bot API call saved) when
        the press is surely current: its keyboard is the one the cache knows. Else None, and the
        press is answered by a call, with a notice when it is stale."""
        if press.data.startswith(FORGET) or press.query_id in self._answered:
            return None
        offered = self.sender.cached_offer(press.chat_id, press.message_id)
        if offered is None or resolve_callback(press.data, offered) is None:
            return None
        self._answered.add(press.query_id)  # press() forgets it once handled
        return {"method": "answerCallbackQuery", "callback_query_id": press.query_id}

    async def answer(self, press: Press, text: str | None = None) -> None:
        """Answer a press once; a press replayed after a restart is too old to answer (fine)."""
        if press.query_id in self._answered:
            return
        self._answered.add(press.query_id)
        try:
            await self.sender.calls.answer_press(press.query_id, text)
        except TelegramError as exc:
            log.info("could not answer a button press: %s", type(exc).__name__)

    async def close_keyboard(self, press: Press, *, chosen: str | None = None) -> None:
        """Take the buttons off the pressed message, showing the choice made when there is room."""
        if not press.accessible:  # too old: Telegram sent no content
            return
        text = press.text or ""
        edited = f"{text}\n\n✅ {chosen}" if chosen and text else None
        try:
            await self.sender.calls.edit(press.chat_id, press.message_id,
                                         text=edited if edited and len(edited) <= MAX_TEXT else None)
        except BadRequest as exc:  # already edited, or too old to edit
            log.debug("keyboard not removed: %s", exc.message[:80])

    async def _transcript_button(self, press: Press) -> None:
        if press.data == FORGET_YES:
            await self.answer(press)
            await self.forget(press.chat_id)
        elif press.data == FORGET_NO:
            lang = await self.sender.lang(press.chat_id, press.lang_hint)
            await self.answer(press, i18n.t(lang, "telegram.transcript.kept"))
            await self.close_keyboard(press)
        else:
            await self.answer(press)
            await self.offer_deletion(press.chat_id)

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
        lang = await self.sender.lang(chat_id)
        digest, now = self.sender.digest(chat_id), self.app.services.clock()
        ids = await self.app.db.write(lambda s: take_transcript(session=s, digest=digest, now=now))
        for start in range(0, len(ids), DELETE_BATCH):
            batch = ids[start:start + DELETE_BATCH]
            try:
                await self.bot.delete_messages(chat_id, batch)
            except BadRequest as exc:
                log.warning("deleteMessages refused: %s", exc.message[:80])
            except NetworkError:
                await self.sender.record(chat_id, ids[start:])  # keep them for another try
                raise
        await self.sender.reply(chat_id, [Outbound(i18n.t(lang, "telegram.transcript.deleted"))],
                                lang=lang)


def button_label(press: Press) -> str | None:
    """The text of the pressed button on its message."""
    return next((label for label, data in press.buttons if data == press.data), None)
