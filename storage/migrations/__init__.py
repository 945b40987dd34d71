"""Alembic migrations of the WBS database, run from code: `wbs migrate` and every start-up
upgrade to head; readiness checks the database is at head. Numbered revisions live in
versions/ (0001_initial, 0002_..., generated with `wbs migrate --new "what changed"`).

Alembic is imported only to change the schema: `head()` and `current()` read the revision
files' numbers and the version table directly, so a bot whose database is up to date never
loads alembic (~10 MB of resident memory for the life of the process)."""

from __future__ import annotations

import functools
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel
from sqlmodel.sql.sqltypes import AutoString

from storage.models.base import UTCDateTime

if TYPE_CHECKING:
    from alembic.config import Config

HERE = Path(__file__).parent
# Several workers start at once: the first migrates, the others wait on this lock, then see head.
PG_LOCK_KEY = 0x57B5_0001
VERSION_TABLE = "alembic_version"


def render_item(type_: str, obj: Any, _ctx: Any) -> str | bool:
    """Render our column types as plain SQLAlchemy so a migration never imports model code."""
    if type_ != "type":
        return False
    if isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if isinstance(obj, AutoString):
        return f"sa.String(length={obj.length})" if obj.length else "sa.String()"
    return False


# batch mode everywhere: SQLite needs it, PostgreSQL runs the same ALTERs directly.
OPTIONS: dict[str, Any] = {"render_as_batch": True, "compare_type": True,
                           "render_item": render_item}


def config() -> Config:
    """An alembic Config pointing at this package (no alembic.ini needed)."""
    from alembic.config import Config  # noqa: PLC0415 - see the module docstring

    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    cfg.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    return cfg


@functools.cache
def head() -> str:
    """The newest revision shipped with this code: the highest number in versions/, since
    revisions are numbered one after the other (a test checks alembic sees the same head)."""
    numbers = [p.name.split("_", 1)[0] for p in HERE.joinpath("versions").glob("[0-9]*_*.py")]
    if not numbers:
        raise RuntimeError("no migrations found")
    return max(numbers)


def _on(conn: Connection, fn: Callable[..., Any], *args: Any) -> None:
    cfg = config()
    cfg.attributes["connection"] = conn
    fn(cfg, *args)


async def _run(engine: AsyncEngine, fn: Callable[..., Any], *args: Any,
               schema: str | None = None) -> None:
    async with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            await conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_LOCK_KEY})
            if schema:  # WBS_DATABASE_SCHEMA: the engine's search_path already points there
                quoted = conn.dialect.identifier_preparer.quote(schema)
                await conn.exec_driver_sql(f"CREATE SCHEMA IF NOT EXISTS {quoted}")
        await conn.run_sync(_on, fn, *args)


async def upgrade(engine: AsyncEngine, revision: str = "head", *,
                  schema: str | None = None) -> None:
    """Apply migrations up to `revision` (one transaction; serialised across workers on PG),
    creating the PostgreSQL `schema` first if it does not exist."""
    from alembic import command  # noqa: PLC0415 - see the module docstring

    await _run(engine, command.upgrade, revision, schema=schema)


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    """Undo migrations down to `revision` ("base" drops every table)."""
    from alembic import command  # noqa: PLC0415 - see the module docstring

    await _run(engine, command.downgrade, revision)


def _version(conn: Connection) -> str | None:
    if not inspect(conn).has_table(VERSION_TABLE):
        return None
    versions = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()  # noqa: S608
    if len(versions) > 1:
        raise RuntimeError(f"the database has several migration heads: {sorted(versions)}")
    return versions[0] if versions else None


async def current(engine: AsyncEngine) -> str | None:
    """The revision the database is at (None for an empty or unmanaged database)."""
    async with engine.connect() as conn:
        return await conn.run_sync(_version)


async def is_current(engine: AsyncEngine) -> bool:
    """True when the database is at the head revision of this code."""
    return await current(engine) == head()


def _diff(conn: Connection) -> list[Any]:
    from alembic.autogenerate import compare_metadata  # noqa: PLC0415
    from alembic.runtime.migration import MigrationContext  # noqa: PLC0415

    ctx = MigrationContext.configure(conn, opts={"target_metadata": SQLModel.metadata, **OPTIONS})
    return list(compare_metadata(ctx, SQLModel.metadata))


async def model_diff(engine: AsyncEngine) -> list[Any]:
    """What autogenerate would change to make the database match the models (empty = agree)."""
    async with engine.connect() as conn:
        return await conn.run_sync(_diff)


def _next_number() -> str:
    from alembic.script import ScriptDirectory  # noqa: PLC0415

    revs = [s.revision for s in ScriptDirectory.from_config(config()).walk_revisions()]
    return f"{1 + max((int(r) for r in revs if r.isdigit()), default=0):04d}"


def _tidy(path: Path) -> None:
    """Format a generated migration with ruff when it is installed (developer machines)."""
    ruff = shutil.which("ruff") or shutil.which("ruff", path=str(Path(sys.executable).parent))
    if ruff:
        for args in (["format"], ["check", "--fix", "--quiet", "--exit-zero"]):
            subprocess.run([ruff, *args, str(path)], check=False, capture_output=True)  # noqa: S603


async def new_revision(message: str, *, scratch_url: str | None = None) -> Path:
    """Developers: autogenerate the next numbered migration against a scratch database at head."""
    from alembic import command  # noqa: PLC0415
    from sqlalchemy.ext.asyncio import create_async_engine  # noqa: PLC0415

    with tempfile.TemporaryDirectory() as tmp:
        engine = create_async_engine(scratch_url or f"sqlite+aiosqlite:///{tmp}/scratch.db")
        try:
            has_revisions = any(HERE.joinpath("versions").glob("[0-9]*.py"))
            if has_revisions:
                await upgrade(engine)
            rev_id = _next_number()
            async with engine.begin() as conn:
                await conn.run_sync(_on, functools.partial(
                    command.revision, message=message, autogenerate=True, rev_id=rev_id))
            _tidy(next(HERE.joinpath("versions").glob(f"{rev_id}_*.py")))
        finally:
            await engine.dispose()
    head.cache_clear()
    return next(HERE.joinpath("versions").glob(f"{rev_id}_*.py"))


__all__ = ["current", "downgrade", "head", "is_current", "model_diff", "new_revision", "upgrade"]
