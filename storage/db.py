"""Database engine, sessions and the group-commit writer that owns every write transaction."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import CursorResult, Result, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (registers every table on the metadata)

log = logging.getLogger(__name__)
T = TypeVar("T")
Work = Callable[[AsyncSession], Awaitable[T]]


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    """WAL lets readers run beside the writer; NORMAL sync is durable at commit in WAL;
    secure_delete overwrites deleted rows with zeros, so a purged report or a shredded data
    key is not left readable in free pages of the file (SQLite builds differ in its default)."""
    cur = dbapi_conn.cursor()
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=30000",
                   "foreign_keys=ON", "secure_delete=ON"):
        cur.execute(f"PRAGMA {pragma}")
    cur.close()


def make_engine(url: str, *, pool_size: int = 10, pool_timeout: float = 30.0,
                schema: str | None = None) -> AsyncEngine:
    """An async engine; SQLite gets WAL and its directory created, PostgreSQL a sized pool
    (and `search_path` set to `schema` when the tables live in their own schema)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": 30})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    connect_args = {"server_settings": {"search_path": schema}} if schema else {}
    return create_async_engine(url, pool_size=pool_size, max_overflow=pool_size,
                               pool_timeout=pool_timeout, pool_pre_ping=True,
                               connect_args=connect_args)


def affected_rows(result: Result[Any]) -> int:
    """Rows an UPDATE or DELETE matched. The session types its results as plain `Result`
    (sqlalchemy/sqlalchemy#12913); without RETURNING, DML gives a `CursorResult`, which counts."""
    if not isinstance(result, CursorResult):
        raise TypeError(f"{type(result).__name__} has no row count")
    return result.rowcount


class Database:
    """Sessions for reads, one transaction owner for writes.

    `write(fn)` queues `fn(session)`; a single writer task runs every queued function in one
    transaction and commits once (group commit), then wakes the callers. If the batch fails,
    each function is retried alone so one bad write cannot sink its neighbours. Functions must
    therefore have no side effects outside the session.
    """

    def __init__(self, engine: AsyncEngine, *, max_batch: int = 256) -> None:
        self.engine = engine
        self.sessions = async_sessionmaker(engine, expire_on_commit=False)
        self._max_batch = max_batch
        self._queue: list[tuple[Work[Any], asyncio.Future[Any]]] = []
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def dialect(self) -> str:
        """"sqlite" or "postgresql"."""
        return self.engine.dialect.name

    async def create_tables(self) -> None:
        """Create missing tables from the models (tests and first start)."""
        async with self.engine.begin() as conn:
            await conn.run_sync(SQLModel.metadata.create_all)

    async def read(self, fn: Work[T]) -> T:
        """Run `fn` in a read session (no commit)."""
        async with self.sessions() as session:
            return await fn(session)

    async def transaction(self, fn: Work[T]) -> T:
        """Run `fn` in its own transaction, committed now (CLI, maintenance jobs)."""
        async with self.sessions() as session, session.begin():
            return await fn(session)

    async def write(self, fn: Work[T]) -> T:
        """Run `fn` in the next group commit and return its result once durable."""
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._writer(), name="db-writer")
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._queue.append((fn, future))
        self._wake.set()
        return await future

    async def _writer(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._queue:
                batch = self._queue[: self._max_batch]
                del self._queue[: self._max_batch]
                await self._commit(batch)

    async def _commit(self, batch: list[tuple[Work[Any], asyncio.Future[Any]]]) -> None:
        live = [(fn, fut) for fn, fut in batch if not fut.done()]
        if not live:
            return
        try:
            async with self.sessions() as session, session.begin():
                results = [await fn(session) for fn, _ in live]
        except Exception as exc:  # noqa: BLE001 - fall back to one transaction each
            if len(live) == 1:
                if not live[0][1].done():
                    live[0][1].set_exception(exc)
                return
            for fn, fut in live:
                await self._commit_alone(fn, fut)
            return
        for (_, fut), result in zip(live, results, strict=True):
            if not fut.done():
                fut.set_result(result)

    async def _commit_alone(self, fn: Work[Any], fut: asyncio.Future[Any]) -> None:
        try:
            async with self.sessions() as session, session.begin():
                result = await fn(session)
        except Exception as exc:  # noqa: BLE001 - handed to the caller, who decides
            if not fut.done():
                fut.set_exception(exc)
            return
        if not fut.done():
            fut.set_result(result)

    async def close(self) -> None:
        """Finish queued writes, stop the writer and dispose of the pool."""
        while self._queue:
            await asyncio.sleep(0.01)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.engine.dispose()
