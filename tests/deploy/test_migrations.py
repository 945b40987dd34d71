"""The migrations build exactly the schema the models describe, round-trip on SQLite and
PostgreSQL, and keep data written by an earlier revision."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel

from bot.settings import Settings
from storage import migrations, tickets
from storage.crypto import Keyring, new_data_key, seal, wrap_data_key
from storage.db import Database, make_engine
from storage.models.ticket import TICKET_CONTENT

FIRST = "0001"
ROOT = Path(__file__).resolve().parents[2]


async def table_names(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as conn:
        return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))


async def test_models_and_migrations_agree(engine: AsyncEngine):
    await migrations.upgrade(engine)
    diff = await migrations.model_diff(engine)
    assert diff == [], ("the models changed without a migration; generate one with "
                        f"`wbs migrate --new 'what changed'`:\n{diff}")


async def test_upgrade_downgrade_upgrade_round_trip(engine: AsyncEngine):
    await migrations.upgrade(engine)
    assert await migrations.current(engine) == migrations.head()
    assert set(SQLModel.metadata.tables) <= await table_names(engine)

    await migrations.downgrade(engine, "base")
    assert await migrations.current(engine) is None
    assert await table_names(engine) <= {"alembic_version"}

    await migrations.upgrade(engine)
    assert await migrations.is_current(engine)
    assert await migrations.model_diff(engine) == []


async def test_version_table_lives_in_the_configured_schema(database, engine: AsyncEngine):
    _url, schema = database
    await migrations.upgrade(engine)
    async with engine.connect() as conn:
        where = await conn.run_sync(lambda c: inspect(c).default_schema_name)
        names = set(await conn.run_sync(lambda c: inspect(c).get_table_names(schema=where)))
    assert "alembic_version" in names
    if schema is not None:
        assert where == schema


async def test_workers_starting_together_migrate_once(database):
    url, schema = database
    if url.startswith("sqlite"):
        pytest.skip("several workers need PostgreSQL (SQLite serves one process)")
    engines = [make_engine(url, schema=schema) for _ in range(3)]
    try:
        await asyncio.gather(*(migrations.upgrade(e) for e in engines))
        assert all([await migrations.is_current(e) for e in engines])
    finally:
        for e in engines:
            await e.dispose()


async def test_report_stored_at_first_revision_is_readable_after_upgrade(engine: AsyncEngine):
    """Insert with the columns of revision 0001 (plain SQL), upgrade to head, read with the models."""
    ring = Keyring.generate()
    now = datetime(2026, 1, 20, 3, 0, tzinfo=UTC)
    key = new_data_key()
    kek_id, wrapped = wrap_data_key(ring, key, key_row_id="dk1")
    content = {"chronology": "Diminta uang tambahan di loket 3"}
    sealed = seal(key, json.dumps(content).encode(), aad=TICKET_CONTENT.aad("t1"))
    await migrations.upgrade(engine, FIRST)
    stamp = now.replace(tzinfo=None) if engine.dialect.name == "sqlite" else now
    async with engine.begin() as conn:
        await conn.execute(text(
            "INSERT INTO data_key (id, kek_id, wrapped, created_at) VALUES (:id, :k, :w, :c)"),
            {"id": "dk1", "k": kek_id, "w": wrapped, "c": stamp})
        await conn.execute(text(
            "INSERT INTO ticket (id, code, kind, category, channel, status, data_key_id, "
            "secret_hash, content, conflict_of_interest, failed_attempts, created_at, updated_at) "
            "VALUES ('t1', 'WBS-AAAA-BBBB', 'complaint', 'pungli', 'telegram', 'diterima', 'dk1', "
            "'x', :content, false, 0, :c, :c)"), {"content": sealed, "c": stamp})

    await migrations.upgrade(engine)

    db = Database(engine)

    async def load(session):
        ticket = await tickets.find_ticket(session=session, code="WBS-AAAA-BBBB")
        return ticket, await tickets.read_content(session=session, ring=ring, ticket=ticket)

    ticket, read = await db.read(load)
    assert read == content
    assert ticket.created_at == now
    assert ticket.category == "pungli"


async def test_app_start_migrates_and_a_restart_keeps_the_reports(settings: Settings):
    from bot.app import build_app  # noqa: PLC0415
    from tests.handlers.test_complaint_flow import receipt_of, walk_to_summary  # noqa: PLC0415
    from tests.support.reporter import Reporter  # noqa: PLC0415

    ring = Keyring.generate()
    app = await build_app(settings, ring=ring)
    r = Reporter(app.engine)
    await walk_to_summary(r)
    await r.choose("confirm:submit")
    code, _secret = receipt_of(r)
    assert await migrations.is_current(app.db.engine)
    await app.close()

    again = await build_app(settings, ring=ring)
    try:
        ticket = await again.db.read(lambda s: tickets.find_ticket(session=s, code=code))
        content = await again.db.read(
            lambda s: tickets.read_content(session=s, ring=ring, ticket=ticket))
        assert content["amount"] == 500000
    finally:
        await again.close()


def test_wbs_migrate_brings_an_empty_database_to_head(tmp_path, monkeypatch, capsys):
    from bot.cli.main import main  # noqa: PLC0415

    for name in ("WBS_DATABASE_URL", "WBS_DATABASE_SCHEMA"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("WBS_DATA_DIR", str(tmp_path))
    assert main(["migrate", "--status"]) == 1
    assert "database at nothing" in capsys.readouterr().out
    assert main(["migrate"]) == 0
    assert f"database at {migrations.head()}" in capsys.readouterr().out
    assert main(["migrate", "--status"]) == 0


async def test_a_missing_postgresql_schema_is_created_on_first_start(database):
    url, _schema = database
    if url.startswith("sqlite"):
        pytest.skip("schemas are a PostgreSQL setting")
    fresh = "t_new_" + uuid.uuid4().hex[:10]
    engine = make_engine(url, schema=fresh)
    try:
        await migrations.upgrade(engine, schema=fresh)
        assert await migrations.is_current(engine)
        async with engine.connect() as conn:
            names = await conn.run_sync(lambda c: inspect(c).get_table_names(schema=fresh))
        assert {"ticket", "alembic_version"} <= set(names)
    finally:
        async with engine.begin() as conn:
            await conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{fresh}" CASCADE')
        await engine.dispose()


def test_head_read_from_the_file_numbers_is_the_head_alembic_sees():
    from alembic.script import ScriptDirectory  # noqa: PLC0415

    script = ScriptDirectory.from_config(migrations.config())
    assert script.get_heads() == [migrations.head()]


START_AND_REPORT = """
import asyncio, sys
from bot.app import build_app
from bot.runner import migrate_apart
from bot.settings import Settings, load_settings, read_environment

async def main():
    settings = load_settings(read_environment())
    await migrate_apart(settings)
    app = await build_app(settings)
    await app.close()

asyncio.run(main())
print("alembic loaded" if "alembic" in sys.modules else "alembic not loaded")
"""


def start_bot_process(database: tuple[str, str | None], data_dir: Path) -> str:
    """What a `wbs run` start-up leaves in its process: whether it loaded alembic."""
    url, schema = database
    env = {k: v for k, v in os.environ.items() if not k.startswith("WBS_")}
    env |= {"WBS_DATA_DIR": str(data_dir), "WBS_DATABASE_URL": url,
            "WBS_DATABASE_SCHEMA": schema or ""}
    done = subprocess.run([sys.executable, "-c", START_AND_REPORT], env=env, cwd=ROOT,  # noqa: S603
                          capture_output=True, text=True, timeout=120, check=True)
    return done.stdout.strip().splitlines()[-1]


async def test_the_running_bot_never_loads_alembic_and_a_fresh_database_is_migrated(
        database, tmp_path: Path):
    url, schema = database
    assert await asyncio.to_thread(start_bot_process, database, tmp_path) == "alembic not loaded"
    engine = make_engine(url, schema=schema)
    try:
        assert await migrations.current(engine) == migrations.head()  # done by the child
        assert await migrations.model_diff(engine) == []
    finally:
        await engine.dispose()
    assert await asyncio.to_thread(start_bot_process, database, tmp_path) == "alembic not loaded"
