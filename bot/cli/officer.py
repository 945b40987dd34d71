"""`wbs officer add|remove|list` (the officer allow-list) and `wbs audit verify|show`."""

from __future__ import annotations

import argparse
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli.base import Command, Subparsers, with_app
from bot.settings import Settings

CLI_ACTOR = "cli"


async def cmd_officer(args: argparse.Namespace, settings: Settings) -> int:
    """Manage who may work tickets (Telegram user ids; roles officer/admin)."""
    from handlers.officer_admin import record_officer_change  # noqa: PLC0415
    from storage import officers  # noqa: PLC0415

    async def run(app: Any) -> int:
        now = app.services.clock()
        if args.action == "list":
            listed = await app.db.read(lambda s: officers.list_officers(session=s))
            for o in listed:
                handle = f" @{o.username}" if o.username else ""
                print(f"{o.telegram_user_id}\t{o.role}\t{o.name}{handle}")
            if not listed:
                print("no officers yet: wbs officer add <telegram user id> --name NAME")
            return 0
        if args.action == "add":
            async def add(s: AsyncSession) -> None:
                added = await officers.add_officer(
                    session=s, telegram_user_id=args.user_id, now=now, name=args.name or "",
                    role="admin" if args.admin else "officer", username=args.username)
                await record_officer_change(s, who=CLI_ACTOR, action="officer_add", officer=added)

            await app.db.transaction(add)
            print(f"added {args.user_id} as {'admin' if args.admin else 'officer'}")
            return 0

        async def remove(s: AsyncSession) -> bool:
            gone = await officers.remove_officer(session=s, telegram_user_id=args.user_id, now=now)
            if gone is not None:
                await record_officer_change(s, who=CLI_ACTOR, action="officer_remove", officer=gone)
            return gone is not None

        if await app.db.transaction(remove):
            print(f"removed {args.user_id}")
            return 0
        print(f"{args.user_id} is not an officer")
        return 1

    return await with_app(settings, run)


async def cmd_audit(args: argparse.Namespace, settings: Settings) -> int:
    """Verify the hash chain of the audit log, or show its newest entries."""
    from storage import audit  # noqa: PLC0415

    async def run(app: Any) -> int:
        if args.action == "verify":
            verdict = await app.db.read(lambda s: audit.verify(session=s))
            for problem in verdict.problems:
                print(f"TAMPERED: {problem}")
            print(f"{verdict.checked} entries checked: {'intact' if verdict.ok else 'NOT intact'}")
            return 0 if verdict.ok else 2
        rows = await app.db.read(lambda s: audit.entries(session=s, ticket_code=args.ticket,
                                                         limit=args.limit))
        for row in rows:
            print(f"{row.seq}\t{row.at.isoformat(timespec='seconds')}\t{row.actor}\t{row.action}"
                  f"\t{row.ticket_code or '-'}\t{row.details}")
        return 0

    return await with_app(settings, run)


def register(sub: Subparsers, commands: dict[str, Command]) -> None:
    """Add `wbs officer` and `wbs audit`."""
    officer = sub.add_parser("officer", help=cmd_officer.__doc__)
    actions = officer.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="allow a Telegram user to work tickets")
    add.add_argument("user_id", type=int, help="the officer's Telegram user id")
    add.add_argument("--name", help="shown to other officers only, never to reporters")
    add.add_argument("--username", help="Telegram @username, for /tugaskan @username")
    add.add_argument("--admin", action="store_true", help="may also manage officers")
    remove = actions.add_parser("remove", help="take a user off the allow-list")
    remove.add_argument("user_id", type=int)
    actions.add_parser("list", help="list active officers")
    commands["officer"] = cmd_officer

    audit = sub.add_parser("audit", help=cmd_audit.__doc__)
    audit_actions = audit.add_subparsers(dest="action", required=True)
    audit_actions.add_parser("verify", help="detect edited or deleted entries (exit 2 if so)")
    show = audit_actions.add_parser("show", help="newest entries first")
    show.add_argument("--ticket", help="only this Kode Laporan")
    show.add_argument("--limit", type=int, default=50)
    commands["audit"] = cmd_audit
