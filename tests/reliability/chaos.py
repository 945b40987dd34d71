"""Reporters who keep going while the bot is SIGKILLed and restarted under them.

Each reporter walks the complaint flow through the webhook the way Telegram and a patient
person would: an update that was not acknowledged with 200 is posted again (same update id,
as Telegram redelivers); when the expected answer does not come, the reporter types /bantuan,
which repeats the question the bot is at, and checks it is the right one: the step just taken
(the reply was lost in the crash) or the one before (the input never counted, e.g. a press on
a keyboard the bot had not recorded yet). Any other place means the flow did not resume
where it should, and the walk fails.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field

import aiohttp

from bench.driver import CODE_RE, SECRET_RE, Action, marker
from bench.fake_api import BenchBotApi, Reply
from bench.updates import press_update, text_update
from handlers import i18n

ANSWER_WAIT = 4.0


def words(key: str) -> str:
    """The Indonesian words of a catalog key up to its first placeholder."""
    return i18n.catalog("id").gettext(key).split("{")[0].strip()


def steps(word: str) -> list[tuple[Action, str]]:
    """The complaint walk: each action and the catalog key of the question that must follow."""
    return [
        (Action("text", "/start"), "menu.greeting"),
        (Action("press", "menu:complaint"), "complaint.ask.category"),
        (Action("press", "pungli"), "complaint.ask.what"),
        (Action("text", f"Petugas loket meminta uang tambahan supaya cepat {word}"),
         "complaint.ask.who"),
        (Action("text", f"Petugas loket tiga {word}"), "complaint.ask.concerns_team"),
        (Action("press", "tidak"), "complaint.ask.when"),
        (Action("text", "kemarin"), "complaint.ask.where"),
        (Action("text", f"Loket paspor {word}"), "complaint.ask.amount"),
        (Action("text", "500rb"), "complaint.ask.evidence"),
        (Action("press", "nav:skip"), "complaint.ask.elsewhere"),
        (Action("press", "tidak"), "common.summary.title"),
        (Action("press", "confirm:submit"), "receipt.issued"),
    ]


class FlowLost(AssertionError):
    """The bot was somewhere else than the walk allows after a crash."""


@dataclass
class Outcome:
    """What the reporters saw."""

    receipts: dict[int, tuple[str, str]] = field(default_factory=dict)  # chat -> (code, secret)
    lost_receipts: list[int] = field(default_factory=list)  # submitted; receipt lost in a crash
    texts: list[str] = field(default_factory=list)  # markers typed into reports
    recoveries: list[tuple[int, int, str]] = field(default_factory=list)  # (chat, step, where)
    mid_flow_at_kill: list[int] = field(default_factory=list)


class Webhook:
    """Posts to the bot's webhook (stable across restarts), collecting replies per chat."""

    def __init__(self, api: BenchBotApi, http: aiohttp.ClientSession) -> None:
        assert api.webhook
        self.url, self.secret = api.webhook["url"], api.webhook["secret_token"]
        self.api, self.http = api, http
        self.replies: dict[int, list[Reply]] = {}
        api.on_reply = lambda chat, reply: self.replies.setdefault(chat, []).append(reply)

    async def post_until_ok(self, update: dict[str, object]) -> None:
        """POST until the bot answers 200 (it may be down or restarting)."""
        headers = {"X-Telegram-Bot-Api-Secret-Token": self.secret}
        async with asyncio.timeout(60):
            while True:
                try:
                    async with self.http.post(self.url, json=update, headers=headers) as resp:
                        if resp.status == 200:
                            return
                        assert resp.status >= 500, f"webhook answered {resp.status}"
                except (aiohttp.ClientError, OSError):
                    pass
                await asyncio.sleep(0.1)

    async def answer(self, chat: int, since: int, keys: list[str],
                     wait: float = ANSWER_WAIT) -> str | None:
        """The key among `keys` of the newest matching reply after `since`, once one came."""
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            for reply in reversed(self.replies.get(chat, [])[since:]):
                found = [k for k in keys if words(k) in reply.text]
                if found:
                    return found[0]
            await asyncio.sleep(0.02)
        return None

    def keyboard(self, chat: int) -> int:
        """Message id of the newest reply with buttons."""
        for reply in reversed(self.replies.get(chat, [])):
            if reply.callback_data:
                return reply.message_id
        return 1


class Reporter:
    """One chat walking the complaint flow through crashes."""

    def __init__(self, hook: Webhook, chat: int, outcome: Outcome) -> None:
        self.hook, self.chat, self.outcome = hook, chat, outcome
        self.busy = False

    def _update(self, action: Action) -> dict[str, object]:
        if action.kind == "text":
            return text_update(self.chat, action.value)
        return press_update(self.chat, action.value, message_id=self.hook.keyboard(self.chat),
                            bot_id=self.hook.api.bot_id)

    async def where(self, keys: list[str]) -> str:
        """Ask /bantuan until the bot repeats one of the questions in `keys`."""
        for _ in range(20):
            since = len(self.hook.replies.get(self.chat, []))
            await self.hook.post_until_ok(text_update(self.chat, "/bantuan"))
            found = await self.hook.answer(self.chat, since, keys)
            if found:
                return found
        raise FlowLost(f"chat {self.chat}: /bantuan never showed any of {keys}")

    async def walk(self) -> None:
        """Walk every step; recover from lost replies; fail if the flow went elsewhere."""
        word = marker()
        self.outcome.texts.append(word)
        walk = steps(word)
        every_key = sorted({key for _, key in walk})
        self.busy = True
        index = 0
        while index < len(walk):
            await asyncio.sleep(random.uniform(0.1, 0.4))  # noqa: S311 - a person's pace
            action, expected = walk[index]
            since = len(self.hook.replies.get(self.chat, []))
            await self.hook.post_until_ok(self._update(action))
            if await self.hook.answer(self.chat, since, [expected]):
                if expected == "receipt.issued":
                    self._keep_receipt(since)
                index += 1
                continue
            where = await self.where(every_key)
            self.outcome.recoveries.append((self.chat, index, where))
            previous = walk[index - 1][1] if index else "menu.greeting"
            if expected == "receipt.issued" and where == "menu.greeting":
                self.outcome.lost_receipts.append(self.chat)  # filed; the receipt died with it
                index += 1
            elif where == expected:
                index += 1
            elif where != previous:
                raise FlowLost(f"chat {self.chat} step {index}: expected {expected!r} or "
                               f"{previous!r}, the bot is at {where!r}")
        self.busy = False

    def _keep_receipt(self, since: int) -> None:
        text = "\n".join(r.text for r in self.hook.replies[self.chat][since:])
        code, secret = CODE_RE.search(text), SECRET_RE.search(text)
        assert code, "receipt without a code"
        assert secret, "receipt without a secret"
        self.outcome.receipts[self.chat] = (code.group(0), secret.group(0))


async def kill_now_and_then(restart: object, reporters: list[Reporter], outcome: Outcome, *,
                            kills: int, seed: int) -> None:
    """SIGKILL the bot `kills` times at random moments, restarting it each time."""
    rng = random.Random(seed)
    for _ in range(kills):
        await asyncio.sleep(rng.uniform(0.3, 1.2))
        outcome.mid_flow_at_kill.append(sum(r.busy for r in reporters))
        await restart()  # type: ignore[operator]
