"""`wbs backup PATH`: a consistent copy of an SQLite database, taken while the bot runs
(sqlite3's online backup API). PostgreSQL is backed up with pg_dump; we print the recipe."""

from __future__ import annotations

import asyncio
import os
import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url

PG_DUMP_RECIPE = """\
PostgreSQL is backed up with its own tools:
  pg_dump --format=custom --file=wbs-$(date +%F).dump "postgresql://USER@HOST/DB"
or, in the docker compose setup:
  docker compose exec -T postgres pg_dump -U wbs --format=custom wbs > wbs-$(date +%F).dump
restore into an empty database with:
  docker compose exec -T postgres pg_restore -U wbs -d wbs --clean --if-exists < wbs-DATE.dump
Back up the key file (WBS_KEY_FILE, default data/wbs.key) separately: the dump alone cannot be
decrypted, and the key file alone holds no reports."""


class BackupError(Exception):
    """A backup was refused; the message says why and what to do."""


def sqlite_path(url: str) -> Path:
    """The database file of an SQLite URL; BackupError (with the pg_dump recipe) otherwise."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        raise BackupError(PG_DUMP_RECIPE)
    if not parsed.database or parsed.database == ":memory:":
        raise BackupError("an in-memory database cannot be backed up")
    return Path(parsed.database)


def _copy(source: Path, target: Path) -> None:
    tmp = target.with_name(target.name + ".partial")
    tmp.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # reports stay private
        os.close(fd)
        dst = sqlite3.connect(tmp)
        try:
            src.backup(dst)  # pages copied under a read transaction: a consistent snapshot
        finally:
            dst.close()
    finally:
        src.close()
    os.replace(tmp, target)


async def backup_sqlite(url: str, target: Path) -> Path:
    """Copy the SQLite database at `url` to `target` (mode 0600); refuses to overwrite a file."""
    source = sqlite_path(url)
    if not source.exists():
        raise BackupError(f"no database at {source}")
    if target.exists():
        raise BackupError(f"{target} exists; choose a new file name")
    if target.resolve() == source.resolve():
        raise BackupError("the backup must not replace the database itself")
    target.parent.mkdir(parents=True, exist_ok=True)
    await asyncio.to_thread(_copy, source, target)
    return target
