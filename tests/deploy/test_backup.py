"""`wbs backup PATH`: a consistent, private copy of a running SQLite database; PostgreSQL
gets the pg_dump recipe instead."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from bot.app import build_app
from bot.cli.main import main
from bot.settings import Settings, load_settings
from storage import tickets
from storage.backup import BackupError, backup_sqlite
from storage.crypto import Keyring
from tests.deploy.scenario import populate
from tests.support.settings import CHEAP_ARGON2

PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


def sqlite_settings(data_dir: Path, database_url: str = "") -> Settings:
    return load_settings({"WBS_DATA_DIR": str(data_dir), "WBS_DATABASE_URL": database_url,
                          **CHEAP_ARGON2})


async def test_backup_of_a_running_database_opens_with_every_report(tmp_path: Path):
    ring = Keyring.generate()
    app = await build_app(sqlite_settings(tmp_path / "live"), ring=ring)
    try:
        done = await populate(app)
        target = tmp_path / "backups" / "wbs-copy.db"
        await backup_sqlite(app.settings.storage.db_url, target)  # while the app holds connections
    finally:
        await app.close()

    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    copy = await build_app(sqlite_settings(tmp_path / "other",
                                           database_url=f"sqlite+aiosqlite:///{target}"), ring=ring)
    try:
        for code in done.codes:
            ticket = await copy.db.read(lambda s, c=code: tickets.find_ticket(session=s, code=c))
            content = await copy.db.read(
                lambda s, t=ticket: tickets.read_content(session=s, ring=ring, ticket=t))
            assert content["amount"] == 500000
    finally:
        await copy.close()


async def test_backup_never_overwrites_a_file(tmp_path: Path):
    app = await build_app(sqlite_settings(tmp_path), ring=Keyring.generate())
    await app.close()
    existing = tmp_path / "old.db"
    existing.write_bytes(b"keep me")
    with pytest.raises(BackupError, match="exists"):
        await backup_sqlite(app.settings.storage.db_url, existing)
    assert existing.read_bytes() == b"keep me"


async def test_backup_of_postgresql_explains_pg_dump(tmp_path: Path):
    with pytest.raises(BackupError, match="pg_dump") as refused:
        await backup_sqlite(PG, tmp_path / "x.db")
    assert "key file" in str(refused.value)
    assert not (tmp_path / "x.db").exists()


def test_cli_backup_reminds_that_the_key_file_is_separate(tmp_path: Path, monkeypatch, capsys):
    for name in ("WBS_MASTER_KEY", "WBS_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("WBS_DATA_DIR", str(tmp_path))
    assert main(["init"]) == 0
    assert main(["backup", str(tmp_path / "b" / "copy.db")]) == 0
    assert "back it up separately" in capsys.readouterr().out
    assert (tmp_path / "b" / "copy.db").stat().st_size > 0
    monkeypatch.setenv("WBS_DATABASE_URL", PG)
    assert main(["backup", str(tmp_path / "pg.db")]) == 2
    assert "pg_dump" in capsys.readouterr().err
