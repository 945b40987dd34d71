"""Fixtures for deployment tests: a bare engine on the per-test database (no tables yet)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.crypto import Keyring
from storage.db import make_engine

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def engine(database: tuple[str, str | None]) -> AsyncIterator[AsyncEngine]:
    """An engine on the fresh test database (SQLite file or PostgreSQL schema), still empty."""
    url, schema = database
    eng = make_engine(url, schema=schema)
    yield eng
    await eng.dispose()


def shared_database_env(database: tuple[str, str | None], tmp_path: Path) -> dict[str, str]:
    """Environment for several `wbs run` workers on one PostgreSQL schema with one key file
    (skips on SQLite, which serves one process); cheap Argon2, no hourly report limit."""
    url, schema = database
    if url.startswith("sqlite"):
        pytest.skip("several workers need PostgreSQL (SQLite serves one process)")
    Keyring.generate().save(tmp_path / "wbs.key")
    env = {k: v for k, v in os.environ.items() if not k.startswith("WBS_")}
    return env | {"WBS_DATABASE_URL": url, "WBS_DATABASE_SCHEMA": schema or "",
                  "WBS_DATA_DIR": str(tmp_path), "WBS_KEY_FILE": str(tmp_path / "wbs.key"),
                  "WBS_ARGON2_TIME_COST": "1", "WBS_ARGON2_MEMORY_KIB": "1024",
                  "WBS_REPORTS_PER_HOUR": "0",  # dozens of reports within a minute
                  "PYTHONPATH": str(ROOT)}
