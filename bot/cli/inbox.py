"""`wbs inbox failed|retry`: updates whose handling kept failing (dead letters, issue #19).

A failed update is never marked processed: after a few tries it is kept as a dead letter, is
not replayed on start-up, and its sender was told it was not processed. `failed` lists them
(no content); `retry` takes them back and handles them at once through the channel's own
code (the same Telegram or WhatsApp adapter `wbs run` uses, connected but not receiving), or
with `--later` leaves them for the next start of the bot, which replays every unprocessed row.
"""

from __future__ import annotations

import argparse
from typing import Any, Protocol, runtime_checkable

from bot.cli.base import Command, Subparsers, with_app
from bot.settings import Settings


@runtime_checkable
class Opening(Protocol):
    """A channel that connects without receiving, for a replay."""

    async def open(self) -> None:
        """Connect."""
        ...

    async def close(self) -> None:
        """Disconnect."""
        ...


@runtime_checkable
class Replaying(Protocol):
    """A channel that can handle one stored update on demand."""

    async def replay(self, inbox_id: str, payload: bytes) -> bool:
        """Handle the stored update; True if handled."""
        ...


async def cmd_inbox(args: argparse.Namespace, settings: Settings) -> int:
    """List updates that could not be processed, or process them again."""
    from storage import inbox  # noqa: PLC0415 - keep `wbs --help` fast

    async def run(app: Any) -> int:
        if args.action == "failed":
            rows = await app.db.read(lambda s: inbox.dead_letters(session=s))
            for row in rows:
                print(f"{row.id}\t{row.channel}\t{row.received_at.isoformat(timespec='seconds')}"
                      f"\t{row.attempts}\t{row.last_error or '-'}")
            if not rows:
                print("no failed updates")
            return 0
        if not args.all and not args.ids:
            print("give the ids to retry (wbs inbox failed lists them), or --all")
            return 2
        ids = None if args.all else list(args.ids)
        taken = await app.db.transaction(lambda s: inbox.requeue(session=s, inbox_ids=ids))
        for missing in sorted(set(args.ids or ()) - set(taken)):
            print(f"{missing}\tnot a failed update")
        if args.later:
            for inbox_id in taken:
                print(f"{inbox_id}\tqueued: handled when the bot next starts")
            return 0 if taken or args.all else 1
        return await replay_now(app, taken) if taken else (0 if args.all else 1)

    return await with_app(settings, run)


async def replay_now(app: Any, inbox_ids: list[str]) -> int:
    """Handle each row through its channel's code; 0 if every one was handled."""
    from bot.runner import enabled_channels  # noqa: PLC0415
    from storage import inbox  # noqa: PLC0415

    channels = enabled_channels(app)
    replaying = {c.name: c for c in channels if isinstance(c, Replaying)}
    opened: list[Opening] = []
    status = 0
    try:
        for channel in channels:
            if isinstance(channel, Opening):
                await channel.open()
                opened.append(channel)
        ring = app.services.ring
        for inbox_id in inbox_ids:
            found = await app.db.read(lambda s, i=inbox_id: inbox.load_payload(
                session=s, ring=ring, inbox_id=i))
            if found is None:
                continue
            replayer = replaying.get(found[0])
            if replayer is None:
                print(f"{inbox_id}\tqueued: the {found[0]} channel is not configured here; "
                      "handled when the bot next starts with it")
                status = 1
            elif await replayer.replay(inbox_id, found[1]):
                print(f"{inbox_id}\thandled")
            else:
                print(f"{inbox_id}\tfailed again (wbs inbox failed shows why)")
                status = 1
    finally:
        for done in reversed(opened):
            await done.close()
    return status


def register(sub: Subparsers, commands: dict[str, Command]) -> None:
    """Add `wbs inbox failed` and `wbs inbox retry`."""
    parser = sub.add_parser("inbox", help=cmd_inbox.__doc__)
    actions = parser.add_subparsers(dest="action", required=True)
    actions.add_parser("failed", help="list updates kept as dead letters (no content)")
    retry = actions.add_parser("retry", help="handle failed updates again, now")
    retry.add_argument("ids", nargs="*", help="inbox ids from `wbs inbox failed`")
    retry.add_argument("--all", action="store_true", help="every failed update")
    retry.add_argument("--later", action="store_true",
                       help="only take them back: the bot handles them when it next starts")
    commands["inbox"] = cmd_inbox
