"""SQLite overwrites what it deletes: a purged report leaves no readable bytes in the file,
whatever the default of the SQLite library the bot happens to run on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event, text

from storage.db import make_engine

REPORT = b"uang pelicin untuk petugas loket tiga"


def _library_without_secure_delete(dbapi_conn: Any, _record: Any) -> None:
    """Play an SQLite build whose default is secure_delete=OFF (Debian's is ON, others not)."""
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA secure_delete=OFF")
    cur.close()


async def test_every_sqlite_connection_runs_with_secure_delete(tmp_path: Path):
    path = tmp_path / "wbs.db"
    engine = make_engine(f"sqlite+aiosqlite:///{path}")
    event.listen(engine.sync_engine, "connect", _library_without_secure_delete, insert=True)
    try:
        async with engine.begin() as conn:
            assert (await conn.execute(text("PRAGMA secure_delete"))).scalar() == 1
            await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB)"))
            await conn.execute(text("INSERT INTO t (body) VALUES (:b)"), {"b": REPORT * 50})
        async with engine.begin() as conn:
            await conn.execute(text("DELETE FROM t"))
        async with engine.connect() as conn:
            await conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    finally:
        await engine.dispose()
    assert REPORT not in path.read_bytes()
