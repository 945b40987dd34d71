"""Fixtures for deployment tests: a bare engine on the per-test database (no tables yet)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import make_engine


@pytest.fixture
async def engine(database: tuple[str, str | None]) -> AsyncIterator[AsyncEngine]:
    """An engine on the fresh test database (SQLite file or PostgreSQL schema), still empty."""
    url, schema = database
    eng = make_engine(url, schema=schema)
    yield eng
    await eng.dispose()
