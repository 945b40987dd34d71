"""Shared fixtures: a fresh database per test on SQLite and (when reachable) PostgreSQL,
cheap Argon2 parameters, and the composed app."""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.app import App, build_app
from bot.settings import Settings, load_settings
from storage.crypto import Keyring
from tests.support.reporter import Reporter
from tests.support.settings import CHEAP_ARGON2

PG_URL = os.environ.get("WBS_TEST_POSTGRES_URL",
                        "postgresql+asyncpg://postgres@127.0.0.1:5432/test")


def _pg_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


PG_AVAILABLE = _pg_reachable()
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(
    not PG_AVAILABLE, reason="PostgreSQL on 127.0.0.1:5432 is not reachable"))]


async def _pg_schema(action: str, schema: str) -> None:
    import asyncpg  # noqa: PLC0415

    dsn = PG_URL.replace("postgresql+asyncpg", "postgresql")
    conn = await asyncpg.connect(dsn)
    try:
        if action == "create":
            await conn.execute(f'CREATE SCHEMA "{schema}"')
        else:
            await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        await conn.close()


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str | None]]:
    """A fresh, empty database: an SQLite file, or a new schema on PostgreSQL (url, schema)."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'wbs.db'}", None
        return
    schema = "t_" + uuid.uuid4().hex[:12]
    asyncio.run(_pg_schema("create", schema))
    yield PG_URL, schema
    asyncio.run(_pg_schema("drop", schema))


@pytest.fixture
def settings(tmp_path: Path, database: tuple[str, str | None]) -> Settings:
    """Settings for a test: its own data dir and database, cheap Argon2, Indonesian."""
    url, schema = database
    return load_settings({
        "WBS_DATA_DIR": str(tmp_path), "WBS_DATABASE_URL": url, "WBS_DATABASE_SCHEMA": schema or "",
        **CHEAP_ARGON2, "WBS_OFFICE_NAME": "Kantor Imigrasi Kelas II Non-TPI Banggai",
        "WBS_METRICS_LISTEN_PORT": "0"})  # any free port: tests run side by side


@pytest.fixture
def keyring() -> Keyring:
    """A fresh keyring (no file)."""
    return Keyring.generate()


@pytest.fixture
async def app(settings: Settings, keyring: Keyring) -> AsyncIterator[App]:
    """The composed app on the test database."""
    application = await build_app(settings, ring=keyring, migrate=False)
    yield application
    await application.close()


@pytest.fixture
def reporter(app: App) -> Reporter:
    """A reporter chatting with the engine on the terminal channel."""
    return Reporter(app.engine)
