"""`python -m bench` (`make bench`): our bot vs. a plain python-telegram-bot echo bot under the
same load, on SQLite and PostgreSQL; memory with open drafts; digest time. A few minutes."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from bench import pg
from bench.digest_timing import time_digest
from bench.fake_api import BenchBotApi
from bench.memory import open_drafts
from bench.report import Report, Row
from bench.targets import CHEAP_ARGON2, Plan, baseline, settle, wbs

RESULTS = Path(__file__).resolve().parent / "results"
PRODUCTION_ARGON2 = (3, 65536)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--reporters", type=int, default=200, help="concurrent reporters")
    parser.add_argument("--duration", type=float, default=10.0,
                        help="seconds of load per target (each reporter finishes its round)")
    parser.add_argument("--drafts", type=int, default=10_000, help="open drafts for the memory check")
    parser.add_argument("--digest-tickets", type=int, default=100_000)
    parser.add_argument("--only", nargs="*", default=None,
                        choices=["baseline", "ceiling", "sqlite", "postgresql", "workers",
                                 "argon2", "memory", "digest"],
                        help="run only these parts")
    parser.add_argument("--out", type=Path, default=RESULTS)
    return parser.parse_args(argv)


def progress(row: Row) -> None:
    """One line as soon as a target is measured."""
    print(f"{row.name} ({row.database}): {row.steps_per_s} steps/s, p99 {row.p99_ms} ms, "
          f"{row.errors} errors", flush=True)


async def run(args: argparse.Namespace) -> Report:
    """Measure every part asked for, one after the other, and print as we go."""
    def wanted(part: str) -> bool:
        return args.only is None or part in args.only

    plan = Plan(reporters=args.reporters, duration=args.duration)
    report = Report(settings={"reporters": plan.reporters, "duration_s": plan.duration,
                              "argon2_time_cost_memory_kib": CHEAP_ARGON2,
                              "production_argon2": PRODUCTION_ARGON2})
    databases = ["sqlite"] + (["postgresql"] if pg.reachable() else [])
    async with BenchBotApi() as api:
        if wanted("baseline"):
            report.add(await baseline(api, plan))
            progress(report.rows[-1])
            await settle()
        if wanted("ceiling"):
            report.add(await baseline(api, plan, name="ceiling", module="bench.ceiling_bot"))
            progress(report.rows[-1])
            await settle()
        for database in databases:
            if wanted(database):
                row, _ = await wbs(api, plan, database=database, argon2=CHEAP_ARGON2)
                report.add(row)
                progress(row)
                await settle()
        if wanted("workers") and "postgresql" in databases:
            row, _ = await wbs(api, plan, database="postgresql", argon2=CHEAP_ARGON2,
                               name="wbs 2 workers", workers=2)
            report.add(row)
            progress(row)
            await settle()
        if wanted("argon2"):
            # 50 reporters: every submit and status check costs ~150 ms of CPU, so a round of
            # 200 would take over a minute; this row shows the KDF's cost, not concurrency
            fewer = Plan(reporters=min(50, plan.reporters), duration=plan.duration, logs=plan.logs)
            row, _ = await wbs(api, fewer, database="sqlite", argon2=PRODUCTION_ARGON2,
                               name="wbs prod-argon2")
            report.add(row)
            progress(row)
            await settle()
        if wanted("memory"):
            report.memory = await open_drafts(api, plan, drafts=args.drafts)
    if wanted("digest"):
        for database in databases:
            report.digest[database] = await time_digest(database, args.digest_tickets)
    return report


def main(argv: list[str] | None = None) -> int:
    """Run, print the table, save the JSON."""
    args = parse_args(argv)
    report = asyncio.run(run(args))
    print()
    print(report.table())
    print(f"saved {report.save(args.out)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
