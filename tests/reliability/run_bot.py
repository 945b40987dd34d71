"""`wbs run` as a subprocess against the bench's fake Bot API, for the crash and privacy tests."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from bench import pg
from bench.fake_api import BenchBotApi
from bench.procs import BotProcess, free_port, start_bot, wbs_argv, wbs_env
from tests.reliability.chaos import Outcome, Reporter, Webhook, kill_now_and_then


@dataclass
class ChaosRun:
    """What a crash run left behind, for the assertions."""

    database: str
    data_dir: Path
    log: Path
    outcome: Outcome
    tickets_by_code: dict[str, int] = field(default_factory=dict)
    ticket_count: int = 0
    table_dump: bytes = b""  # PostgreSQL: every row of every table, as text
    chats: list[int] = field(default_factory=list)


async def run_chaos(database: str, tmp: Path, *, reporters: int = 10, kills: int = 3,
                    seed: int = 9) -> ChaosRun:
    """Reporters file complaints while the bot is killed `kills` times; then inspect the DB."""
    schema = await pg.create_schema() if database == "postgresql" else None
    data = tmp / "data"
    run = ChaosRun(database, data, tmp / "bot.log", Outcome())
    try:
        async with BenchBotApi() as api:
            env = wbs_env(api=api, data_dir=data, port=free_port(), argon2=(1, 1024),
                          database_url=pg.PG_URL if schema else None, schema=schema,
                          extra={"WBS_LOG_LEVEL": "DEBUG", "WBS_SCHEDULER_ENABLED": "false"})
            async with _bot(api, env, run.log) as restart, aiohttp.ClientSession() as http:
                hook = Webhook(api, http)
                run.chats = [5_810_000_000 + i * 7919 for i in range(reporters)]
                walkers = [Reporter(hook, chat, run.outcome) for chat in run.chats]
                async with asyncio.timeout(150):
                    await asyncio.gather(
                        *(w.walk() for w in walkers),
                        kill_now_and_then(restart, walkers, run.outcome, kills=kills, seed=seed))
        await _inspect(run, schema)
    finally:
        if schema:
            await pg.drop_schema(schema)
    return run


@contextlib.asynccontextmanager
async def _bot(api: BenchBotApi, env: dict[str, str], log: Path) -> AsyncIterator[object]:
    current: list[BotProcess] = [await start_bot(wbs_argv(), env=env, api=api, log_path=log)]

    async def restart() -> None:
        await current[0].stop(kill=True)
        current[0] = await start_bot(wbs_argv(), env=env, api=api, log_path=log)

    try:
        yield restart
    finally:
        await current[0].stop()


async def _inspect(run: ChaosRun, schema: str | None) -> None:
    """Count tickets per code the reporters were shown (and dump PostgreSQL's rows)."""
    codes = [code for code, _ in run.outcome.receipts.values()]
    if schema is None:
        import sqlite3  # noqa: PLC0415

        with contextlib.closing(sqlite3.connect(run.data_dir / "wbs.db")) as conn:
            run.ticket_count = conn.execute("SELECT count(*) FROM ticket").fetchone()[0]
            for code in codes:
                run.tickets_by_code[code] = conn.execute(
                    "SELECT count(*) FROM ticket WHERE code = ?", (code,)).fetchone()[0]
        return
    import asyncpg  # noqa: PLC0415

    conn = await asyncpg.connect(pg.PG_URL.replace("postgresql+asyncpg", "postgresql"))
    try:
        run.ticket_count = await conn.fetchval(f'SELECT count(*) FROM "{schema}".ticket')
        for code in codes:
            run.tickets_by_code[code] = await conn.fetchval(
                f'SELECT count(*) FROM "{schema}".ticket WHERE code = $1', code)
        tables = await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = $1", schema)
        dump = []
        for table in tables:
            rows = await conn.fetch(f'SELECT t::text AS row FROM "{schema}"."{table["tablename"]}" t')
            dump += [r["row"] for r in rows]
        run.table_dump = "\n".join(dump).encode()
    finally:
        await conn.close()
