"""The `wbs` command: one dispatch table of subcommands."""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot.cli.base import Command, Register
from bot.settings import Settings, load_settings, read_environment


async def cmd_init(_args: argparse.Namespace, settings: Settings) -> int:
    """Create the data directory, the key file (0600) and the database tables."""
    from bot.app import build_app  # noqa: PLC0415 - keep `wbs --help` fast

    app = await build_app(settings)
    await app.close()
    where = "WBS_MASTER_KEY" if settings.storage.master_key else str(settings.storage.key_path)
    print(f"ready: database {settings.storage.db_url.split('://')[0]}, keys in {where}")
    return 0


async def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    """Chat with the bot in this terminal (one terminal session = one reporter)."""
    from bot.app import build_app, setup_logging  # noqa: PLC0415
    from bot.channels.console import ConsoleChat  # noqa: PLC0415

    setup_logging(settings)
    app = await build_app(settings)
    try:
        await ConsoleChat(app, session=args.session).run()
    finally:
        await app.close()
    return 0


async def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    """Run the configured channels; with no bot token, chat in the terminal."""
    from bot.runner import run  # noqa: PLC0415

    return await run(settings, args)


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, Command]]:
    """The argument parser and the table of subcommand -> coroutine."""
    parser = argparse.ArgumentParser(prog="wbs", description="WBS whistleblowing bot")
    sub = parser.add_subparsers(dest="command", required=True)
    commands: dict[str, Command] = {}

    sub.add_parser("init", help=cmd_init.__doc__)
    commands["init"] = cmd_init
    chat = sub.add_parser("chat", help=cmd_chat.__doc__)
    chat.add_argument("--session", help="continue an earlier terminal session by its name")
    commands["chat"] = cmd_chat
    run = sub.add_parser("run", help=cmd_run.__doc__)
    run.add_argument("--session", help="terminal session name when no bot token is set")
    commands["run"] = cmd_run

    for register in _extensions():
        register(sub, commands)
    return parser, commands


def _extensions() -> list[Register]:
    """Subcommands contributed by feature modules (officer, holidays, export, keys, ...)."""
    from bot.cli import digest, gift, inbox, officer, ops  # noqa: PLC0415

    return [gift.register, digest.register, ops.register, officer.register, inbox.register]


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `wbs` console script."""
    parser, commands = build_parser()
    args = parser.parse_args(argv)
    settings = load_settings(read_environment())
    try:
        return asyncio.run(commands[args.command](args, settings))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
