"""A throw-away PostgreSQL schema for one bench target (127.0.0.1:5432, db `test`)."""

from __future__ import annotations

import os
import socket
import uuid

import asyncpg

PG_URL = os.environ.get("WBS_BENCH_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")


def reachable() -> bool:
    """Whether PostgreSQL answers on its port."""
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


def _dsn() -> str:
    return PG_URL.replace("postgresql+asyncpg", "postgresql")


async def create_schema() -> str:
    """A new empty schema's name."""
    name = "bench_" + uuid.uuid4().hex[:10]
    conn = await asyncpg.connect(_dsn())
    try:
        await conn.execute(f'CREATE SCHEMA "{name}"')
    finally:
        await conn.close()
    return name


async def drop_schema(name: str) -> None:
    """Remove the schema and everything in it."""
    conn = await asyncpg.connect(_dsn())
    try:
        await conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
    finally:
        await conn.close()


async def size_and_tickets(name: str) -> tuple[int, int]:
    """Bytes of every table (with indexes and TOAST) in the schema, and the ticket count."""
    conn = await asyncpg.connect(_dsn())
    try:
        size = await conn.fetchval(
            "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r'",
            name)
        tickets = await conn.fetchval(f'SELECT count(*) FROM "{name}".ticket')
    finally:
        await conn.close()
    return int(size), int(tickets)
