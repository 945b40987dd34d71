"""Two and three `wbs run` processes on one PostgreSQL schema behind the fake Bot API (webhook mode):
reporters file complaints while officers open reports (`/lihat`), reply and change statuses
at the same moments on different workers. Every receipt, acknowledgement, reply and status
notice reaches its chat exactly once (counted at the fake), nothing is left undone, and
`wbs audit verify` passes."""

from __future__ import annotations

import asyncio
import contextlib
import random
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aiohttp
import pytest
from sqlalchemy import func, select

from bench.procs import BotProcess, free_port, wait_listening, wbs_argv
from storage import audit, officers
from storage.db import Database, make_engine
from storage.models import InboxItem, OutboxItem
from storage.models.base import utcnow
from tests.deploy.conftest import shared_database_env
from tests.fakes.bot_api import FakeBotApi
from tests.fakes.bot_api_chat import UserChat, catalog_text
from tests.fakes.telegram_fixtures import CHRONOLOGY
from tests.officer.conftest import bot_says, file_complaint, full_chat, texts_in, topic_of

ROOT = Path(__file__).resolve().parents[2]
REPORTERS = 30
WORKED = 10  # tickets that officers work while the other reporters are still filing
ROUNDS = 3  # per worked ticket: /lihat and a reply on each worker, all at once, three times
OFFICERS = -1001000000001
LOOKS, ANSWERS = 501, 502  # two officers: one opens reports, the other replies
FIRST_REPORTER = 7_000_000


class Workers:
    """Posts updates to one of the workers' webhooks (same path and secret, own ports)."""

    def __init__(self, api: FakeBotApi, ports: list[int], http: aiohttp.ClientSession) -> None:
        assert api.webhook
        parts = urlsplit(api.webhook["url"])
        self.urls = [urlunsplit(parts._replace(netloc=f"127.0.0.1:{p}")) for p in ports]
        self.secret, self.http = api.webhook["secret_token"], http

    async def post(self, worker: int, update: dict[str, Any]) -> None:
        """Deliver one update to worker `worker` (0, 1, …) as Telegram would."""
        headers = {"X-Telegram-Bot-Api-Secret-Token": self.secret}
        async with self.http.post(self.urls[worker], json=update, headers=headers) as resp:
            assert resp.status == 200, await resp.text()  # noqa: PLR2004


class WebhookChat(UserChat):
    """A reporter whose every update goes to a randomly chosen worker."""

    def __init__(self, api: FakeBotApi, chat_id: int, workers: Workers, rng: random.Random) -> None:
        super().__init__(api, chat_id)
        self.workers, self.rng = workers, rng

    async def type(self, text: str) -> dict[str, Any]:
        """Type a message; it reaches one of the workers."""
        update = self.api.text_message(self.chat_id, text, language_code=self.lang)
        await self.workers.post(self.rng.randrange(len(self.workers.urls)), update)
        return update

    async def press(self, label: str, **kwargs: Any) -> dict[str, Any]:
        """Press a button; the press reaches one of the workers."""
        update = self.api.press(self.chat_id, catalog_text(self.lang, label),
                                language_code=self.lang, **kwargs)
        await self.workers.post(self.rng.randrange(len(self.workers.urls)), update)
        return update


async def work_ticket(api: FakeBotApi, workers: Workers, code: str, n: int) -> int:
    """At the same moments: `/lihat` and a reply on each worker, and one status change."""
    thread = await topic_of(api, code)

    def said(text: str, user: int) -> dict[str, Any]:
        return api.text_message(OFFICERS, text, user_id=user, message_thread_id=thread)

    for r in range(ROUNDS):
        last = len(workers.urls) - 1  # with three workers the third one takes part too
        status = [workers.post(last, said("/status lengkapi", ANSWERS))] if r == 1 else []
        await asyncio.gather(
            workers.post(0, said("/lihat", LOOKS)), workers.post(last, said("/lihat", LOOKS)),
            workers.post(1, said(f"Balasan nomor {n}-{r}-a: mohon kirim foto kuitansi.", ANSWERS)),
            workers.post(0, said(f"Balasan nomor {n}-{r}-b: mohon kirim foto kuitansi.", ANSWERS)),
            *status)
    return thread


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    """The fake Bot API, with the officers' chat a forum supergroup."""
    async with FakeBotApi() as fake:
        fake.plain_groups = set()
        fake.register("getChat", lambda params, files: full_chat(fake, params["chat_id"]))
        yield fake


async def start_workers(api: FakeBotApi, env: dict[str, str], tmp: Path,
                        ports: list[int]) -> list[BotProcess]:
    """`wbs run` once per port, one after the other (the first one migrates the schema); each is up
    once it has registered its webhook and listens."""
    started = []
    for n, port in enumerate(ports):
        worker_env = env | {"WBS_PUBLIC_URL": f"http://127.0.0.1:{port}",
                            "WBS_LISTEN_PORT": str(port)}
        log = tmp / f"worker-{n}.log"
        with log.open("ab") as out:
            proc = await asyncio.create_subprocess_exec(
                *wbs_argv(), env=worker_env, cwd=ROOT, stdout=out, stderr=out,
                stdin=asyncio.subprocess.DEVNULL)
        started.append(BotProcess(proc, log))
        try:
            for _ in range(60):  # a worker that died makes no more calls: look every second
                with contextlib.suppress(TimeoutError):
                    await api.wait_until(lambda port=port: api.webhook and f":{port}/" in api.webhook["url"],
                                         timeout=1)
                    break
                assert proc.returncode is None, log.read_text(errors="replace")[-3000:]
            await wait_listening(api)  # type: ignore[arg-type]  # reads only `webhook`
        except BaseException:
            await asyncio.gather(*(p.stop(kill=True) for p in started))
            raise
    return started


async def allow_officers(db: Database) -> None:
    """The two officers on the allow-list."""
    async def add(s: Any) -> None:
        for user in (LOOKS, ANSWERS):
            await officers.add_officer(session=s, telegram_user_id=user, role="officer",
                                       name=f"Petugas {user}", now=utcnow())
    await db.write(add)


async def audit_verify(env: dict[str, str]) -> tuple[int, str]:
    """`wbs audit verify`: exit status and output."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "audit", "verify", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out, _ = await proc.communicate()
    return proc.returncode or 0, out.decode(errors="replace")


def count(api: FakeBotApi, chat: int, text: str) -> int:
    """How many messages containing `text` reached `chat`."""
    return sum(text in t for t in texts_in(api, chat))


@pytest.mark.timeout(180)
@pytest.mark.parametrize("n_workers", [2, 3])
async def test_officers_and_reporters_on_several_workers_each_message_arrives_once(
        database: tuple[str, str | None], tmp_path: Path, api: FakeBotApi, n_workers: int):
    url, schema = database
    env = shared_database_env(database, tmp_path)
    env |= {"WBS_TELEGRAM_TOKEN": api.token, "WBS_TELEGRAM_API_URL": api.base_url,
            "WBS_LISTEN_HOST": "127.0.0.1", "WBS_OFFICERS_CHAT_ID": str(OFFICERS),
            "WBS_METRICS_LISTEN_PORT": "0",  # any free port: two workers on one host
            "WBS_TEAM_NAME": "UPG", "WBS_SCHEDULER_ENABLED": "false",
            "WBS_TELEGRAM_RATE_PER_CHAT": "1000", "WBS_TELEGRAM_RATE_OVERALL": "100000",
            "WBS_TELEGRAM_RATE_GROUP": "1000", "WBS_LOG_LEVEL": "INFO"}
    ports = [free_port() for _ in range(n_workers)]
    procs = await start_workers(api, env, tmp_path, ports)
    db = Database(make_engine(url, schema=schema))
    try:
        await allow_officers(db)
        async with aiohttp.ClientSession() as http:
            workers = Workers(api, ports, http)
            chats = [WebhookChat(api, FIRST_REPORTER + i, workers, random.Random(i))
                     for i in range(REPORTERS)]
            first = await asyncio.gather(*(file_complaint(c) for c in chats[:WORKED]))
            codes = [code for code, _ in first]
            rest, threads = await asyncio.gather(
                asyncio.gather(*(file_complaint(c) for c in chats[WORKED:])),
                asyncio.gather(*(work_ticket(api, workers, code, n) for n, code in enumerate(codes))))
            codes += [code for code, _ in rest]
            for chat, code in zip(chats[:WORKED], codes, strict=False):  # what must arrive
                await bot_says(api, chat.chat_id, f"Laporan {code} telah dibuka")
                await bot_says(api, chat.chat_id, "memerlukan informasi tambahan")
                await api.wait_until(lambda c=chat.chat_id: count(api, c, "mohon kirim foto") >= 2 * ROUNDS)
            for thread in threads:
                await api.wait_until(lambda t=thread: sum(
                    CHRONOLOGY in text for text in texts_in(api, OFFICERS, t)) >= 2 * ROUNDS)
            await asyncio.gather(*(topic_of(api, code) for code in codes[WORKED:]))
            await asyncio.sleep(1)  # a doubled message would arrive by now
        undone = await db.read(leftovers)
        entries = await db.read(lambda s: audit.entries(session=s, limit=1000))
    finally:
        await db.close()
        await asyncio.gather(*(p.stop() for p in procs))
    verified, said = await audit_verify(env)

    for chat, code in zip(chats, codes, strict=True):
        replies = 2 * ROUNDS
        assert count(api, chat.chat_id, code) == (3 + replies if chat in chats[:WORKED] else 1), code
        assert count(api, chat.chat_id, "Kata sandi:") == 1  # one receipt
    for n, chat in enumerate(chats[:WORKED]):
        for r in range(ROUNDS):
            for side in "ab":
                assert count(api, chat.chat_id, f"Balasan nomor {n}-{r}-{side}:") == 1
        assert count(api, chat.chat_id, "telah dibuka oleh") == 1
        assert count(api, chat.chat_id, "memerlukan informasi tambahan") == 1
    created = [c.params["name"] for c in api.calls_to("createForumTopic")]
    assert {code: sum(name.startswith(code) for name in created) for code in codes} == dict.fromkeys(
        codes, 1)  # one topic each
    for thread in threads:
        in_topic = texts_in(api, OFFICERS, thread)
        assert sum(CHRONOLOGY in t for t in in_topic) == 2 * ROUNDS  # each /lihat answered once
        assert sum("Balasan dikirim" in t for t in in_topic) == 2 * ROUNDS
    assert undone == {"unsent": 0, "unprocessed": 0, "failed": 0}
    actions = [(e.ticket_code, e.action) for e in entries]
    for code in codes[:WORKED]:
        for action, times in (("ticket_view", 2 * ROUNDS), ("ticket_reply", 2 * ROUNDS),
                              ("ticket_status", 1)):
            assert actions.count((code, action)) == times, (code, action)
    assert verified == 0, said


async def leftovers(session: Any) -> dict[str, int]:
    """Outbox rows not delivered, inbox updates not handled, and messages that failed."""
    unsent = (await session.execute(select(func.count()).select_from(OutboxItem).where(
        OutboxItem.delivered_at.is_(None), OutboxItem.failed_at.is_(None)))).scalar_one()
    failed = (await session.execute(select(func.count()).select_from(OutboxItem).where(
        OutboxItem.failed_at.is_not(None)))).scalar_one()
    unprocessed = (await session.execute(select(func.count()).select_from(InboxItem).where(
        InboxItem.processed_at.is_(None)))).scalar_one()
    return {"unsent": unsent, "unprocessed": unprocessed, "failed": failed}
