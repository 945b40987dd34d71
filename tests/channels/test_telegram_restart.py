"""Crash safety: `wbs run` as a real process, killed with SIGKILL mid-flow and started again."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.channels.test_telegram_flow import phone_photo, walk_to_evidence
from tests.fakes.bot_api import FakeBotApi
from tests.fakes.bot_api_chat import UserChat, free_port


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as fake:
        yield fake


class BotProcess:
    """`python -m bot run` against the fake Bot API, with its own data directory."""

    def __init__(self, api: FakeBotApi, tmp_path: Path, database: tuple[str, str | None]) -> None:
        url, schema = database
        self.api, self.log = api, tmp_path / "bot.log"
        self.env = {
            "PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path),
            "WBS_DATA_DIR": str(tmp_path / "data"), "WBS_DATABASE_URL": url,
            "WBS_TELEGRAM_TOKEN": api.token, "WBS_TELEGRAM_API_URL": api.base_url,
            "WBS_TELEGRAM_POLL_TIMEOUT": "1", "WBS_LISTEN_PORT": str(free_port()),
            "WBS_METRICS_LISTEN_PORT": "0",
            "WBS_TELEGRAM_RATE_PER_CHAT": "1000", "WBS_ARGON2_TIME_COST": "1",
            "WBS_ARGON2_MEMORY_KIB": "1024", "WBS_SCHEDULER_ENABLED": "false",
        }
        if schema:
            self.env["WBS_DATABASE_SCHEMA"] = schema
        self.cwd = tmp_path
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        """Start and wait until it polls."""
        polls = len(self.api.calls_to("getUpdates"))
        with self.log.open("ab") as log:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", env=self.env, cwd=self.cwd,
                stdin=asyncio.subprocess.DEVNULL, stdout=log, stderr=log)
        try:
            await self.api.wait_until(lambda: len(self.api.calls_to("getUpdates")) > polls, 60)
        except TimeoutError:
            raise AssertionError(self.log.read_text()[-3000:]) from None

    async def kill(self) -> None:
        """SIGKILL: no shutdown code runs."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        await self.proc.wait()

    async def stop(self) -> None:
        """SIGTERM and wait (teardown)."""
        if self.proc and self.proc.returncode is None:
            self.proc.terminate()
            await asyncio.wait_for(self.proc.wait(), 30)


async def test_killed_mid_flow_the_bot_resumes_the_conversation_and_the_stored_update(
        api: FakeBotApi, tmp_path: Path, database):
    bot = BotProcess(api, tmp_path, database)
    chat = UserChat(api, 4242)
    await bot.start()
    try:
        await walk_to_evidence(chat)
        # The photo is stored in the inbox and acknowledged to Telegram (the next getUpdates
        # confirms it), but the process dies while still downloading it.
        api.delay(60, {"getFile"})
        polls = len(api.calls_to("getUpdates"))
        await chat.send_photo(phone_photo())
        await api.wait_until(lambda: api.calls_to("getFile")
                             and len(api.calls_to("getUpdates")) > polls + 1, 30)
        await bot.kill()
        api.delay(0, {"getFile"})

        await bot.start()  # replays the stored, unprocessed update

        await chat.sees("common.files.received")
        await chat.press("common.nav.done")
        await chat.sees("complaint.ask.elsewhere")  # the same conversation, one step on
    finally:
        await bot.stop()
