"""INSERT ... ON CONFLICT DO NOTHING for SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


async def insert_ignore(session: AsyncSession, model: Any, values: dict[str, Any]) -> bool:
    """Insert a row unless it collides with a unique key; True if a row was inserted."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    module = postgresql if dialect == "postgresql" else sqlite
    stmt = module.insert(model).values(**values).on_conflict_do_nothing()
    # a Core statement on the session's connection: the ORM's bulk-insert path costs more
    # than the insert itself and gives nothing here (pending ORM rows go first, as they would)
    if session.new or session.dirty or session.deleted:
        await session.flush()
    result = await (await session.connection()).execute(stmt)
    return bool(result.rowcount)
