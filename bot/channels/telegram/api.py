"""Bot API calls with plain JSON in and out, for the calls every flow step makes.

PTB's `Bot.send_message` and friends turn every argument into a `RequestParameter` and every
answer into a `Message` (with its chat, user and keyboard objects): together about a third of
the bot's CPU per step under load (py-spy, bench/). The reporter path sends JSON-ready values and
only needs the new message's id back, so it posts through the same PTB request object (same
aiohttp session, timeouts and error mapping: `RetryAfter`, `BadRequest`, `Forbidden`,
`NetworkError`) and the same rate limiter, and skips both conversions. Calls with files, and
everything else, go through PTB's `Bot` as before.
"""

from __future__ import annotations

from typing import Any

from telegram.ext import ExtBot
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

Markup = dict[str, Any]


class BotCalls:
    """`await calls("sendMessage", chat_id=1, text="…")` -> the Bot API's JSON result."""

    def __init__(self, bot: ExtBot[Any]) -> None:
        self._bot = bot

    async def __call__(self, method: str, **params: Any) -> Any:
        """Call `method` with the non-None `params` (rate-limited like PTB's own calls)."""
        data = {name: value for name, value in params.items() if value is not None}
        limiter = self._bot.rate_limiter
        if limiter is None:
            return await self._post(method, data)
        return await limiter.process_request(self._post, (method, data), {}, method, data, None)

    async def _post(self, method: str, data: dict[str, Any]) -> Any:
        request = RequestData([RequestParameter(name, value, None) for name, value in data.items()])
        return await self._bot.request.post(f"{self._bot.base_url}/{method}", request)

    async def send_message(self, chat_id: int, text: str, *, reply_markup: Markup | None = None,
                           message_thread_id: int | None = None) -> int:
        """Send a text message; its message id."""
        sent = await self("sendMessage", chat_id=chat_id, text=text, reply_markup=reply_markup,
                          message_thread_id=message_thread_id)
        return int(sent["message_id"])

    async def answer_press(self, query_id: str, text: str | None = None) -> None:
        """answerCallbackQuery: stop the button's spinner, with a short notice if `text`."""
        await self("answerCallbackQuery", callback_query_id=query_id, text=text)

    async def edit(self, chat_id: int, message_id: int, *, text: str | None = None) -> None:
        """Take the keyboard off a message, replacing its text when `text` is given."""
        if text is None:
            await self("editMessageReplyMarkup", chat_id=chat_id, message_id=message_id)
        else:
            await self("editMessageText", chat_id=chat_id, message_id=message_id, text=text)
