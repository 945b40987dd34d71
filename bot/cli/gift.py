"""`wbs holidays add|remove|list` and `wbs export gift CODE`: the gift track's subcommands."""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import date
from pathlib import Path
from typing import Any

from bot.cli.base import Command, Subparsers, with_app
from bot.settings import Settings
from handlers.gift_clock import load_calendar
from handlers.workdays import WorkCalendar, package_holidays
from storage.holidays import clear_override, list_overrides, set_override
from storage.models.base import utcnow
from storage.models.holiday import ADD, REMOVE


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


async def holidays_add(app: Any, day: date, note: str) -> str:
    """Make `day` a holiday for the office; returns a one-line confirmation."""
    await app.db.transaction(lambda s: set_override(session=s, day=day, kind=ADD, note=note,
                                                    now=utcnow()))
    return f"{day} is now a holiday"


async def holidays_remove(app: Any, day: date) -> str:
    """Make `day` a working day again (drop an added holiday, or override the package)."""
    await app.db.transaction(lambda s: clear_override(session=s, day=day))
    calendar = await app.db.read(lambda s: load_calendar(session=s, settings=app.settings))
    if calendar.is_holiday(day):
        await app.db.transaction(lambda s: set_override(session=s, day=day, kind=REMOVE,
                                                        note="", now=utcnow()))
    return f"{day} is now a working day" if day.weekday() < 5 else f"{day} is a weekend day"


async def holidays_table(app: Any, year: int) -> list[str]:
    """The year's holidays: package dates (counted or not) and the office's overrides."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    calendar: WorkCalendar = await app.db.read(
        lambda s: load_calendar(session=s, settings=app.settings))
    overrides = {o.day: o for o in await app.db.read(
        lambda s: list_overrides(session=s, first=first, last=last))}
    rows: dict[date, list[str]] = {}
    for h in package_holidays(year):
        rows.setdefault(h.day, []).append(f"{h.source}{' estimated' if h.estimated else ''}: {h.name}")
    for day, row in overrides.items():
        rows.setdefault(day, []).append(f"override {row.kind}{': ' + row.note if row.note else ''}")
    lines = []
    for day in sorted(rows):
        state = "off " if not calendar.is_working_day(day) else "WORK"
        lines.append(f"{day} {day:%a} {state}  " + " | ".join(rows[day]))
    return lines


async def cmd_holidays(args: argparse.Namespace, settings: Settings) -> int:
    """Show or change the working-day calendar used for gift deadlines."""

    async def work(app: Any) -> int:
        if args.action == "add":
            print(await holidays_add(app, args.date, args.note))
        elif args.action == "remove":
            print(await holidays_remove(app, args.date))
        else:
            year = args.year or utcnow().astimezone(settings.office.tz).year
            print("\n".join(await holidays_table(app, year)))
        return 0

    return await with_app(settings, work)


async def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    """Export a gift report for KPK (PDF, JSON, CSV and its files); the export is audit-logged."""
    from handlers.gift_export import NotAGiftReport, export_gift  # noqa: PLC0415

    out_dir = args.out or settings.gift.export_dir or settings.storage.data_dir / "exports"

    async def work(app: Any) -> int:
        try:
            done = await export_gift(db=app.db, ring=app.services.ring, settings=settings,
                                     tz=settings.office.tz, code=args.code, out_dir=out_dir,
                                     actor=f"cli:{args.actor}", now=utcnow(),
                                     lang=args.lang)
        except NotAGiftReport:
            print(f"no gift report with code {args.code}", file=sys.stderr)
            return 1
        for path in done.files:
            print(path)
        return 0

    return await with_app(settings, work)


def register(sub: Subparsers, commands: dict[str, Command]) -> None:
    """Add `holidays` and `export` to the `wbs` command."""
    holidays = sub.add_parser("holidays", help=cmd_holidays.__doc__)
    actions = holidays.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="make a date a holiday (e.g. a local holiday)")
    add.add_argument("date", type=_day)
    add.add_argument("note", nargs="?", default="", help="why, e.g. the decree")
    remove = actions.add_parser("remove", help="make a date a working day")
    remove.add_argument("date", type=_day)
    listing = actions.add_parser("list", help="the holidays of a year and how they count")
    listing.add_argument("--year", type=int)
    commands["holidays"] = cmd_holidays

    export = sub.add_parser("export", help="export a report for forwarding")
    kinds = export.add_subparsers(dest="kind", required=True)
    gift = kinds.add_parser("gift", help=cmd_export.__doc__)
    gift.add_argument("code", help="the Kode Laporan, e.g. WBS-7K3M-Q9XD")
    gift.add_argument("--out", type=Path, help="directory (default: WBS_GIFT_EXPORT_DIR)")
    gift.add_argument("--actor", default=getpass.getuser(), help="who exports (for the audit log)")
    gift.add_argument("--lang", choices=("id", "en"), default="id")
    commands["export"] = cmd_export
