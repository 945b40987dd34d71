"""The ceiling: an echo bot with no framework and no storage (an aiohttp webhook server and one
aiohttp client posting JSON), making the same Bot API calls as the baseline. Whatever it
reaches is the most any Python bot can do against this driver on this machine.
Run as `python -m bench.ceiling_bot PORT API_URL TOKEN SECRET`."""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

import aiohttp
from aiohttp import web

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name


class EchoBot:
    """Answers each update after acknowledging it, like python-telegram-bot's webhook."""

    def __init__(self, api: str, secret: str) -> None:
        self.api, self.secret = api, secret
        self.http: aiohttp.ClientSession | None = None
        self.tasks: set[asyncio.Task[None]] = set()

    async def call(self, method: str, **params: Any) -> None:
        """One Bot API call with a JSON body."""
        assert self.http is not None
        async with self.http.post(f"{self.api}/{method}", data=json.dumps(params).encode(),
                                  headers={"Content-Type": "application/json"}) as response:
            await response.read()

    async def answer(self, update: dict[str, Any]) -> None:
        """Say the text (or the button's data) back."""
        if message := update.get("message"):
            await self.call("sendMessage", chat_id=message["chat"]["id"],
                            text=message.get("text") or "?")
        elif query := update.get("callback_query"):
            await self.call("answerCallbackQuery", callback_query_id=query["id"])
            await self.call("sendMessage", chat_id=query["message"]["chat"]["id"],
                            text=query.get("data") or "?")

    async def webhook(self, request: web.Request) -> web.Response:
        """Check the secret, acknowledge, answer in the background."""
        if request.headers.get(SECRET_HEADER) != self.secret:
            return web.Response(status=403)
        task = asyncio.get_running_loop().create_task(self.answer(await request.json()))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return web.Response()


async def serve(port: int, api: str, secret: str) -> None:
    """Register the webhook, then serve until killed."""
    bot = EchoBot(api, secret)
    bot.http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=256))
    app = web.Application()
    app.router.add_post("/hook", bot.webhook)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    await bot.call("setWebhook", url=f"http://127.0.0.1:{port}/hook", secret_token=secret)
    await asyncio.Event().wait()


def main() -> None:
    """`python -m bench.ceiling_bot PORT API_URL TOKEN SECRET`."""
    port, api_url, token, secret = sys.argv[1:5]
    asyncio.run(serve(int(port), f"{api_url}{token}", secret))


if __name__ == "__main__":
    main()
