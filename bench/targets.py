"""Measuring one bot under load: the echo baseline, or `wbs run` on SQLite or PostgreSQL."""

from __future__ import annotations

import asyncio
import sqlite3
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from bench import pg
from bench.driver import Driver, LoadResult, calibrate, run_load
from bench.fake_api import BenchBotApi
from bench.procs import (
    BotProcess,
    baseline_argv,
    cpu_seconds,
    free_port,
    start_bot,
    wbs_argv,
    wbs_env,
)
from bench.report import Row

CHEAP_ARGON2 = (1, 1024)


@dataclass
class Plan:
    """How hard to push: concurrent reporters and seconds of load (each finishes its round)."""

    reporters: int = 200
    duration: float = 10.0
    logs: Path = Path(tempfile.gettempdir()) / "wbs-bench-logs"


def http_session() -> aiohttp.ClientSession:
    """The driver's client: no connection limit (200 reporters post at once)."""
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))


async def drive(api: BenchBotApi, bots: list[BotProcess], plan: Plan, *, strict: bool,
                workers: list[str] | None = None) -> tuple[LoadResult, float]:
    """Calibrate, then load; returns the result and the bots' CPU seconds during the load
    (the driver's own CPU time goes into the result, to show it was not the bottleneck)."""
    async with http_session() as http:
        driver = Driver(api, http, strict=strict)
        driver.workers = workers or []
        counts = await calibrate(driver, chat_id=1)
        cpu_before, own_before = sum(cpu_seconds(b.pid) for b in bots), time.process_time()
        result = await run_load(driver, reporters=plan.reporters, duration=plan.duration,
                                counts=counts)
        result.driver_cpu_seconds = time.process_time() - own_before
        return result, sum(cpu_seconds(b.pid) for b in bots) - cpu_before


async def baseline(api: BenchBotApi, plan: Plan, *, name: str = "baseline",
                   module: str = "bench.baseline_bot") -> Row:
    """An echo bot: the plain python-telegram-bot one, or `bench.ceiling_bot` (no framework)."""
    port = free_port()
    bot = await start_bot(baseline_argv(port, api, "bench-secret", module=module), env=wbs_env(
        api=api, data_dir=plan.logs, port=port), api=api, log_path=plan.logs / f"{name}.log")
    try:
        result, cpu = await drive(api, [bot], plan, strict=False)
        peak = bot.memory().get("VmHWM", 0)
    finally:
        await bot.stop()
    return Row.of(name, "-", plan.reporters, result, peak_rss_kib=peak, cpu_seconds=cpu)


async def wbs(api: BenchBotApi, plan: Plan, *, database: str, argon2: tuple[int, int],
              name: str = "wbs", workers: int = 1) -> tuple[Row, LoadResult]:
    """`wbs run` in webhook mode on "sqlite" or "postgresql" (several workers: PostgreSQL;
    the driver sends each chat to one of them, as a load balancer hashing the chat would)."""
    with tempfile.TemporaryDirectory(prefix="wbs-bench-") as tmp:
        data = Path(tmp)
        schema = await pg.create_schema() if database == "postgresql" else None
        bots: list[BotProcess] = []
        urls: list[str] = []
        try:
            for index in range(workers):
                port = free_port()
                env = wbs_env(api=api, data_dir=data, port=port, argon2=argon2,
                              database_url=pg.PG_URL if schema else None, schema=schema)
                bots.append(await start_bot(wbs_argv(), env=env, api=api,
                                            log_path=plan.logs / f"{name}-{database}-{index}.log"))
                urls.append((api.webhook or {})["url"])
            try:
                result, cpu = await drive(api, bots, plan, strict=True,
                                          workers=urls if workers > 1 else None)
                peak = sum(b.memory().get("VmHWM", 0) for b in bots)
            finally:
                for bot in bots:
                    await bot.stop()
            size, reports = (await pg.size_and_tickets(schema) if schema
                             else sqlite_size_and_tickets(data))
        finally:
            if schema:
                await pg.drop_schema(schema)
    row = Row.of(name, database, plan.reporters, result, peak_rss_kib=peak, cpu_seconds=cpu)
    row.reports = reports
    row.db_bytes_per_report = round(size / reports, 0) if reports else None
    return row, result


def sqlite_size_and_tickets(data: Path) -> tuple[int, int]:
    """Bytes of the database files and the number of tickets in them."""
    size = sum(p.stat().st_size for p in data.glob("wbs.db*"))
    with sqlite3.connect(data / "wbs.db") as conn:
        tickets = conn.execute("SELECT count(*) FROM ticket").fetchone()[0]
    return size, int(tickets)


async def settle() -> None:
    """Let sockets of the previous target close before the next one starts."""
    await asyncio.sleep(0.5)
