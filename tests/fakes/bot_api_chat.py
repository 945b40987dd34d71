"""Driving the bot like a Telegram user, on top of `FakeBotApi`: type, press, send files, and
wait for what the bot says. Plus helpers to run the real channel (`wbs run`'s `serve`).

    chat = UserChat(api, 42)
    await chat.type("/start")
    await chat.sees("menu.greeting")        # a catalog key (its text up to the first
    await chat.press("menu.complaint")      # placeholder) or literal text
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from typing import Any

from pydantic import SecretStr

from bot.settings import Settings
from handlers import i18n
from tests.fakes.bot_api import FakeBotApi


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def telegram_settings(settings: Settings, api: FakeBotApi, **sections: dict[str, Any]) -> Settings:
    """Test settings pointing the Telegram channel at the fake (fast polling, loose limits);
    `sections` change more, e.g. `web={"public_url": ...}`."""
    telegram = {"token": SecretStr(api.token), "api_url": api.base_url, "poll_timeout": 1,
                "rate_per_chat": 1000.0, "rate_overall": 1000.0, **sections.pop("telegram", {})}
    web = {"listen_port": free_port(), **sections.pop("web", {})}
    scheduler = {"enabled": False, **sections.pop("scheduler", {})}
    return settings.replace(telegram=telegram, web=web, scheduler=scheduler, **sections)


@contextlib.asynccontextmanager
async def serving(app: Any, channels: list[Any], api: FakeBotApi) -> AsyncIterator[None]:
    """Run channels, web server and outbox sender as `wbs run` does, until the block ends.

    The block starts once the bot listens: it polls, or it has registered its webhook.
    """
    from bot.runner import serve  # noqa: PLC0415 - import the app only when used

    stop = asyncio.Event()
    task = asyncio.create_task(serve(app, channels, stop))
    try:
        await api.wait_until(lambda: task.done() or api.webhook or api.calls_to("getUpdates"))
        if task.done():
            task.result()  # start-up failed: raise its error here
        yield
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)


def catalog_text(lang: str, key_or_text: str) -> str:
    """A catalog key's words up to its first placeholder; literal text stays as it is."""
    if "." not in key_or_text or " " in key_or_text:
        return key_or_text
    try:
        raw = i18n.catalog(lang).gettext(key_or_text)
    except OSError:
        return key_or_text
    return raw.split("{")[0].strip() if raw != key_or_text else key_or_text


class UserChat:
    """One private chat with the bot, seen from the user's side."""

    def __init__(self, api: FakeBotApi, chat_id: int, *, lang: str = "id") -> None:
        self.api, self.chat_id, self.lang = api, chat_id, lang
        self._seen = 0  # bot messages already looked at by `sees`

    def _bot_messages(self) -> list[dict[str, Any]]:
        return [c.params for c in self.api.calls_to("sendMessage")
                if c.params.get("chat_id") == self.chat_id]

    async def type(self, text: str) -> dict[str, Any]:
        """Send a text message (pushed to getUpdates); the update is returned."""
        update = self.api.text_message(self.chat_id, text, language_code=self.lang)
        self.api.push(update)
        return update

    async def send_photo(self, data: bytes, **kwargs: Any) -> dict[str, Any]:
        """Send a photo."""
        update = self.api.photo_message(self.chat_id, data, language_code=self.lang, **kwargs)
        self.api.push(update)
        return update

    async def press(self, label: str, **kwargs: Any) -> dict[str, Any]:
        """Press the newest button whose text is this key's words (or this literal text)."""
        update = self.api.press(self.chat_id, catalog_text(self.lang, label),
                                language_code=self.lang, **kwargs)
        self.api.push(update)
        return update

    async def sees(self, key_or_text: str, timeout: float = 15.0) -> str:
        """Wait until a new bot message contains this text; return that message's text."""
        wanted = catalog_text(self.lang, key_or_text)

        def found() -> str | None:
            for index, params in enumerate(self._bot_messages()[self._seen:], self._seen):
                if wanted in params["text"]:
                    self._seen = index + 1
                    return params["text"]
            return None

        try:
            return await self.api.wait_until(found, timeout)
        except TimeoutError:
            said = [p["text"][:80] for p in self._bot_messages()[self._seen:]]
            raise AssertionError(f"bot never said {wanted!r}; it said {said}") from None
