"""Operator subcommands: `wbs migrate`, `wbs keys list|rotate|rewrap|retire`, `wbs backup`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from bot.cli.base import Command, Subparsers
from bot.settings import Settings


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


async def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    """Apply database migrations up to the newest (also done on every start)."""
    from storage import migrations  # noqa: PLC0415 - keep `wbs --help` fast
    from storage.db import make_engine  # noqa: PLC0415

    if args.new:
        print(f"wrote {await migrations.new_revision(args.new)}")
        return 0
    engine = make_engine(settings.storage.db_url, schema=settings.storage.database_schema)
    try:
        if not args.status:
            await migrations.upgrade(engine, schema=settings.storage.database_schema)
        now = await migrations.current(engine)
        print(f"database at {now or 'nothing'}; newest is {migrations.head()}")
        return 0 if now == migrations.head() else 1
    finally:
        await engine.dispose()


async def _with_keys(settings: Settings, work: Callable[[Any, Path | None], Awaitable[int]]) -> int:
    from bot.app import build_app  # noqa: PLC0415
    from storage.crypto import DecryptionError  # noqa: PLC0415
    from storage.keys_admin import KeyAdminError  # noqa: PLC0415

    app = await build_app(settings)
    key_path = None if settings.storage.master_key is not None else settings.storage.key_path
    try:
        return await work(app, key_path)
    except KeyAdminError as exc:
        return _fail(str(exc))
    except DecryptionError as exc:  # names a key id at most, never content
        return _fail(f"a stored value could not be decrypted ({exc}); is this the right key file?")
    finally:
        await app.close()


async def keys_list(app: Any, _key_path: Path | None) -> int:
    """Print every KEK id, which one is active and how many values each protects."""
    from storage.keys_admin import key_usage  # noqa: PLC0415

    ring = app.services.ring
    usage = await app.db.read(lambda s: key_usage(session=s))
    for kid in sorted(set(ring.keys) | set(usage)):
        mark = " (active)" if kid == ring.active else ""
        missing = "" if kid in ring.keys else "  MISSING FROM THE KEY FILE"
        print(f"{kid}{mark}: {usage[kid]} value(s){missing}")
    return 0


async def keys_rotate(app: Any, key_path: Path | None) -> int:
    """New active KEK; every data key re-wrapped and every ephemeral value re-sealed."""
    from storage.keys_admin import rotate  # noqa: PLC0415

    _ring, done = await rotate(app.db, app.services.ring, key_path)
    print(f"active key is now {done.active}: {done.rewrapped} data key(s) re-wrapped, "
          f"{done.resealed} value(s) re-sealed. Back up {key_path} now; retire the old key "
          "with `wbs keys retire ID` once every worker runs with the new key file.")
    return 0


async def keys_rewrap(app: Any, key_path: Path | None) -> int:
    """Re-encrypt whatever is still under an older KEK with the active one (no new key)."""
    from storage.keys_admin import reencrypt_all  # noqa: PLC0415

    if key_path is None:
        return _fail("WBS_MASTER_KEY holds a single key: there is nothing to re-wrap")
    rewrapped, resealed = await reencrypt_all(app.db, app.services.ring)
    print(f"{rewrapped} data key(s) re-wrapped, {resealed} value(s) re-sealed")
    return 0


def keys_retire(key_id: str) -> Callable[[Any, Path | None], Awaitable[int]]:
    """Remove KEK `key_id` from the key file (refused while anything uses it)."""

    async def work(app: Any, key_path: Path | None) -> int:
        from storage.keys_admin import retire  # noqa: PLC0415

        await retire(app.db, app.services.ring, key_path, key_id)
        print(f"key {key_id} retired and removed from {key_path}")
        return 0

    return work


async def cmd_keys(args: argparse.Namespace, settings: Settings) -> int:
    """Key-encryption keys: list, rotate, rewrap, retire."""
    table = {"list": keys_list, "rotate": keys_rotate, "rewrap": keys_rewrap}
    work = keys_retire(args.key_id) if args.action == "retire" else table[args.action]
    return await _with_keys(settings, work)


async def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    """Write a consistent copy of the SQLite database (PostgreSQL: prints the pg_dump recipe)."""
    from storage.backup import BackupError, backup_sqlite  # noqa: PLC0415

    try:
        target = await backup_sqlite(settings.storage.db_url, Path(args.path))
    except BackupError as exc:
        return _fail(str(exc))
    print(f"database copied to {target}. The key file ({settings.storage.key_path}) is NOT in it: "
          "back it up separately.")
    return 0


def register(sub: Subparsers, commands: dict[str, Command]) -> None:
    """Add migrate, keys and backup to the `wbs` command."""
    migrate = sub.add_parser("migrate", help=cmd_migrate.__doc__)
    migrate.add_argument("--status", action="store_true", help="only show the revision")
    migrate.add_argument("--new", metavar="MESSAGE",
                         help="developers: generate the next numbered migration from the models")
    commands["migrate"] = cmd_migrate

    keys = sub.add_parser("keys", help=cmd_keys.__doc__)
    actions = keys.add_subparsers(dest="action", required=True)
    actions.add_parser("list", help=keys_list.__doc__)
    actions.add_parser("rotate", help=keys_rotate.__doc__)
    actions.add_parser("rewrap", help=keys_rewrap.__doc__)
    actions.add_parser("retire", help=keys_retire.__doc__).add_argument("key_id")
    commands["keys"] = cmd_keys

    backup = sub.add_parser("backup", help=cmd_backup.__doc__)
    backup.add_argument("path", help="file to write (must not exist)")
    commands["backup"] = cmd_backup
