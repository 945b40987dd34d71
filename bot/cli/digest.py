"""`wbs digest --now | --preview [--weekly]`: send the officers' digest at once, or print it."""

from __future__ import annotations

import argparse

from bot.cli.base import Command, Subparsers
from bot.settings import Settings


async def cmd_digest(args: argparse.Namespace, settings: Settings) -> int:
    """Send the digest now (queued for the team chat, e-mailed if configured) or print it."""
    from bot.app import build_app  # noqa: PLC0415 - keep `wbs --help` fast
    from bot.mailer import mailer  # noqa: PLC0415
    from handlers.jobs import Jobs, period_key  # noqa: PLC0415

    app = await build_app(settings)
    try:
        jobs = Jobs(app.services, metrics=app.metrics, mail=mailer(settings.smtp))
        if args.now:
            digest = await jobs.digest_now()
            print(digest.text)
            print(f"\n(queued for the team chat as {digest.period_key}; "
                  "the running bot delivers it)")
            return 0
        now = app.services.clock()
        kind = "weekly" if args.weekly else "manual"
        digest = await jobs.build_digest(kind, window_end=now,
                                         period_key=period_key(kind, now, settings.office.tz))
        print(digest.text)
        return 0
    finally:
        await app.close()


def register(sub: Subparsers, commands: dict[str, Command]) -> None:
    """Add `wbs digest`."""
    parser = sub.add_parser("digest", help=cmd_digest.__doc__)
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--now", action="store_true", help="send a digest to the team now")
    what.add_argument("--preview", action="store_true", help="print the digest, send nothing")
    parser.add_argument("--weekly", action="store_true",
                        help="with --preview: the weekly summary with ISO 37002 indicators")
    commands["digest"] = cmd_digest
