"""The load driver: N concurrent reporters walk the complaint flow (menu -> category -> free
text ... -> submit) and then look up their report's status, by POSTing Telegram updates to
the bot's webhook. Latency is the time from POSTing an update to the fake Bot API receiving
the bot's first reply for that chat.

How many messages the bot answers each step with is learnt once by a calibration walk
(wait until the chat goes quiet); under load each step then waits for exactly that many, so
the next update is only sent once the bot has finished answering, as a person would.
"""

from __future__ import annotations

import asyncio
import random
import re
import string
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Literal

import aiohttp

from bench.fake_api import BenchBotApi, Reply
from bench.updates import press_update, text_update

CODE_RE = re.compile(r"WBS-[0-9A-Z]{4}-[0-9A-Z]{4}")
SECRET_RE = re.compile(r"(?<![0-9A-Z-])[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}(?![0-9A-Z])")
STEP_TIMEOUT = 30.0


class DriverError(Exception):
    """The bot did not answer as the script expects (the message says what was missing)."""


@dataclass(frozen=True, slots=True)
class Action:
    """One thing a reporter does: type `value`, or press the button with callback `value`."""

    kind: Literal["text", "press"]
    value: str


@dataclass
class ChatBox:
    """What one chat has received from the bot."""

    replies: list[Reply] = field(default_factory=list)
    wake: asyncio.Event = field(default_factory=asyncio.Event)

    def keyboard(self) -> tuple[tuple[str, ...], int]:
        """The buttons of the newest message that has any, and that message's id."""
        for reply in reversed(self.replies):
            if reply.callback_data:
                return reply.callback_data, reply.message_id
        return (), 0


@dataclass
class LoadResult:
    """What a load run measured."""

    steps: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    completions: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    receipts: list[tuple[str, str, str]] = field(default_factory=list)  # (code, secret, marker)
    rounds: int = 0
    driver_cpu_seconds: float = 0.0

    @property
    def steps_per_second(self) -> float:
        """Completed flow steps per second of wall time."""
        return self.steps / self.seconds if self.seconds else 0.0


Do = Callable[[Action], Awaitable[list[Reply]]]


def marker() -> str:
    """A random letters-only word that makes one report's text findable (privacy scans)."""
    return "".join(random.choices(string.ascii_lowercase, k=14))  # noqa: S311 - not a secret


def receipt_from(replies: list[Reply]) -> tuple[str, str]:
    """The Kode Laporan and secret shown in the receipt."""
    text = "\n".join(r.text for r in replies)
    code, secret = CODE_RE.search(text), SECRET_RE.search(text)
    if not code or not secret:
        raise DriverError("no receipt (code + secret) after submitting")
    return code.group(0), secret.group(0)


def complaint_actions(word: str) -> list[Action]:
    """Menu -> complaint -> every 5W2H answer -> summary -> submit."""
    return [
        Action("text", "/start"),
        Action("press", "menu:complaint"),
        Action("press", "pungli"),
        Action("text", f"Petugas loket paspor meminta uang tambahan agar cepat selesai {word}"),
        Action("text", f"Petugas loket tiga {word}"),
        Action("press", "tidak"),
        Action("text", "kemarin"),
        Action("text", f"Loket paspor lantai satu {word}"),
        Action("text", "500rb"),
        Action("press", "nav:skip"),
        Action("press", "tidak"),
        Action("press", "confirm:submit"),
    ]


def status_actions(code: str, secret: str) -> list[Action]:
    """Come back with the receipt: /cek -> code -> secret -> done."""
    return [Action("text", "/cek"), Action("text", code), Action("text", secret),
            Action("press", "done")]


async def complaint_round(do: Do, *, strict: bool = True) -> tuple[str, str, str]:
    """One reporter's visit: file a complaint, then look its status up; (code, secret, marker).

    With `strict=False` (the echo baseline) no receipt is expected and a dummy one is used.
    """
    word = marker()
    replies: list[Reply] = []
    for action in complaint_actions(word):
        replies = await do(action)
    code, secret = receipt_from(replies) if strict else ("WBS-2345-6789", "ABCD-EFGH-JKMN-PQRS")
    for action in status_actions(code, secret):
        await do(action)
    return code, secret, word


class Driver:
    """Posts updates to the webhook and matches the bot's replies per chat."""

    def __init__(self, api: BenchBotApi, http: aiohttp.ClientSession, *, strict: bool = True) -> None:
        self.api = api
        self.http = http
        self.strict = strict
        self.boxes: dict[int, ChatBox] = {}
        self.workers: list[str] = []  # webhook URLs of several workers; a chat sticks to one
        api.on_reply = self.on_reply

    def on_reply(self, chat_id: int, reply: Reply) -> None:
        """Called by the fake Bot API for every content message."""
        box = self.boxes.setdefault(chat_id, ChatBox())
        box.replies.append(reply)
        box.wake.set()

    @property
    def url(self) -> str:
        """The webhook URL the bot registered."""
        assert self.api.webhook, "the bot never called setWebhook"
        return self.api.webhook["url"]

    async def post(self, update: dict[str, object] | bytes, *, secret: str | None = "configured",
                   chat_id: int = 0) -> int:
        """POST an update to the bot's webhook (the chat's worker, if several); the status."""
        hook = self.api.webhook or {}
        token = hook.get("secret_token") if secret == "configured" else secret
        headers = {"Content-Type": "application/json"}
        if token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = token
        kwargs = {"data": update} if isinstance(update, bytes) else {"json": update}
        url = self.workers[chat_id % len(self.workers)] if self.workers else self.url
        async with self.http.post(url, headers=headers, **kwargs) as resp:
            body = await resp.read()
        if resp.status == 200:  # noqa: PLR2004
            self.api.webhook_answer(body)
        return resp.status

    def update_for(self, chat_id: int, action: Action) -> dict[str, object]:
        """The Telegram update a reporter's action produces (presses need the button)."""
        box = self.boxes.setdefault(chat_id, ChatBox())
        if action.kind == "text":
            return text_update(chat_id, action.value)
        offered, message_id = box.keyboard()
        # wbs tags its buttons ("~<keyboard tag>~<option id>"): press the button itself
        data = next((d for d in offered if d.split("~", 2)[-1] == action.value), None)
        if self.strict and data is None:
            raise DriverError(f"button {action.value!r} not offered (offered: {list(offered)})")
        return press_update(chat_id, data or action.value, message_id=message_id or 1,
                            bot_id=self.api.bot_id)

    async def act(self, chat_id: int, action: Action, *, expect: int | None,
                  quiet: float = 0.4) -> tuple[list[Reply], float]:
        """Do `action` and wait for `expect` replies (or, when None, until the chat is quiet).

        Returns the replies and the time from POST to the first of them.
        """
        box = self.boxes.setdefault(chat_id, ChatBox())
        update = self.update_for(chat_id, action)
        start = len(box.replies)
        box.wake.clear()
        posted = time.monotonic()
        status = await self.post(update, chat_id=chat_id)
        if status != 200:
            raise DriverError(f"webhook answered {status}")
        async with asyncio.timeout(STEP_TIMEOUT):
            while expect is None or len(box.replies) - start < expect:
                if expect is None and len(box.replies) > start:
                    box.wake.clear()
                    try:
                        await asyncio.wait_for(box.wake.wait(), quiet)
                    except TimeoutError:
                        break
                    continue
                await box.wake.wait()
                box.wake.clear()
        replies = box.replies[start:]
        del box.replies[: max(0, len(box.replies) - 50)]  # keep the keyboard, not the history
        if not replies:
            raise DriverError("no reply")
        return replies, replies[0].at - posted


async def calibrate(driver: Driver, chat_id: int) -> list[int]:
    """Walk one round alone and count the bot's messages per step."""
    counts: list[int] = []

    async def do(action: Action) -> list[Reply]:
        replies, _ = await driver.act(chat_id, action, expect=None)
        counts.append(len(replies))
        return replies

    await complaint_round(do, strict=driver.strict)
    return counts


async def run_load(driver: Driver, *, reporters: int, duration: float, counts: list[int],
                   first_chat: int = 10_000, rounds: int | None = None) -> LoadResult:
    """`reporters` chats walk rounds concurrently for `duration` seconds (or `rounds` each)."""
    result = LoadResult()
    started = time.monotonic()
    deadline = started + duration

    async def reporter(chat_id: int) -> None:
        done = 0
        while (rounds is None and time.monotonic() < deadline) or (rounds is not None
                                                                    and done < rounds):
            index = 0

            async def do(action: Action, chat_id: int = chat_id) -> list[Reply]:
                nonlocal index
                posted = time.monotonic()
                replies, latency = await driver.act(chat_id, action, expect=counts[index])
                index += 1
                result.latencies.append(latency)
                result.completions.append(replies[-1].at - posted)
                result.steps += 1
                return replies

            try:
                result.receipts.append(await complaint_round(do, strict=driver.strict))
            except (DriverError, TimeoutError, aiohttp.ClientError) as exc:
                result.errors.append(f"{type(exc).__name__}: {exc}")
                return
            result.rounds += 1
            done += 1

    await asyncio.gather(*(reporter(first_chat + i) for i in range(reporters)))
    result.seconds = time.monotonic() - started
    return result
