"""Memory with many open drafts: 10,000 reporters each start a complaint (/lapor) and leave it
open at the first question."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Any

from bench.driver import Action, Driver, DriverError
from bench.fake_api import BenchBotApi
from bench.procs import free_port, start_bot, wbs_argv, wbs_env
from bench.targets import CHEAP_ARGON2, Plan, http_session

OPEN_DRAFT = (Action("text", "/lapor"),)


async def open_drafts(api: BenchBotApi, plan: Plan, *, drafts: int) -> dict[str, Any]:
    """Start `wbs run` on SQLite, open `drafts` complaint drafts, report its resident memory."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="wbs-bench-mem-") as tmp:
        env = wbs_env(api=api, data_dir=Path(tmp), port=port, argon2=CHEAP_ARGON2)
        bot = await start_bot(wbs_argv(), env=env, api=api, log_path=plan.logs / "memory.log")
        try:
            errors = await _fill(api, drafts, plan.reporters)
            await asyncio.sleep(1.0)  # let the last replies and writes settle
            memory = bot.memory()
        finally:
            await bot.stop()
    return {"drafts": drafts, "rss_mb": round(memory.get("VmRSS", 0) / 1024, 1),
            "peak_rss_mb": round(memory.get("VmHWM", 0) / 1024, 1), "errors": errors}


async def _fill(api: BenchBotApi, drafts: int, concurrency: int) -> int:
    async with http_session() as http:
        driver = Driver(api, http)
        counts = []
        for action in OPEN_DRAFT:  # calibrate on the first chat
            replies, _ = await driver.act(1, action, expect=None)
            counts.append(len(replies))
        chats = iter(range(100_000, 100_000 + drafts - 1))
        errors = 0

        async def worker() -> None:
            nonlocal errors
            for chat in chats:
                try:
                    for action, count in zip(OPEN_DRAFT, counts, strict=True):
                        await driver.act(chat, action, expect=count)
                except (DriverError, TimeoutError):
                    errors += 1
                driver.boxes.pop(chat, None)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return errors
