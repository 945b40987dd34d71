"""Alembic environment: the sqlmodel metadata of every table, batch mode (SQLite can only
rebuild tables), type comparison, and our UTCDateTime/AutoString rendered as plain SQLAlchemy
types so migrations never import model code."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (registers every table on the metadata)
from storage.migrations import OPTIONS

config = context.config


def run_with(connection: Connection) -> None:
    """Run the migrations on a connection (the caller owns the transaction)."""
    context.configure(connection=connection, target_metadata=SQLModel.metadata, **OPTIONS)
    with context.begin_transaction():
        context.run_migrations()


async def run_on_url(url: str) -> None:
    """`alembic` run from the command line: connect to sqlalchemy.url with an async engine."""
    engine = create_async_engine(url, poolclass=pool.NullPool)
    async with engine.begin() as conn:
        await conn.run_sync(run_with)
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True,
                      target_metadata=SQLModel.metadata, **OPTIONS)
    with context.begin_transaction():
        context.run_migrations()
elif (shared := config.attributes.get("connection")) is not None:
    run_with(shared)
else:
    asyncio.run(run_on_url(config.get_main_option("sqlalchemy.url") or ""))
