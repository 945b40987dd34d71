"""INSERT ... ON CONFLICT DO NOTHING for SQLite and PostgreSQL."""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Insert
from sqlmodel import SQLModel

from storage.models.base import table_of


@functools.cache
def insert_ignoring(dialect: str, table: Table) -> Insert:
    """One statement per table, values bound at execution: building a statement with its
    values inside costs SQLAlchemy far more (coercion, cache key) than running it."""
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(table).on_conflict_do_nothing()


@functools.cache
def upserting(dialect: str, table: Table) -> Insert:
    """INSERT, or on a primary-key conflict UPDATE every other column from the new values
    (one statement per table, values bound at execution)."""
    module = postgresql if dialect == "postgresql" else sqlite
    statement = module.insert(table)
    keys = [column.name for column in table.primary_key.columns]
    return statement.on_conflict_do_update(
        index_elements=keys,
        set_={c.name: statement.excluded[c.name] for c in table.columns if c.name not in keys})


async def insert_ignore(session: AsyncSession, model: type[SQLModel], values: dict[str, Any]) -> bool:
    """Insert a row unless it collides with a unique key; True if a row was inserted."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    # pending ORM rows go first, as the ORM's autoflush would send them
    if session.new or session.dirty or session.deleted:
        await session.flush()
    connection = await session.connection()
    result = await connection.execute(insert_ignoring(dialect, table_of(model)), values)
    return bool(result.rowcount)
