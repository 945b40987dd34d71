"""`python -m bench.ab REV` : the same load on this working tree and on git revision REV,
interleaved in one run (A B, B A, ...), so the machine's drift hits both alike. Prints each
run and the mean steps/s and bot CPU ms per step of each side; this is how a hot-path change
is judged on a noisy machine."""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import tempfile
from pathlib import Path
from statistics import mean

from bench import pg, procs
from bench.fake_api import BenchBotApi
from bench.targets import CHEAP_ARGON2, Plan, settle, wbs


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(prog="python -m bench.ab", description=__doc__)
    parser.add_argument("rev", help="the git revision to compare with (e.g. HEAD~1)")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each side")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--reporters", type=int, default=200)
    parser.add_argument("--duration", type=float, default=10.0)
    return parser.parse_args(argv)


def checkout(rev: str, into: Path) -> Path:
    """A work tree of `rev` with this tree's compiled catalogs (they are built, not tracked)."""
    subprocess.run(["git", "worktree", "add", "--detach", str(into), rev], cwd=procs.ROOT,
                   check=True, capture_output=True)
    for catalog in procs.ROOT.glob("locales/*/LC_MESSAGES/*.mo"):
        target = into / catalog.relative_to(procs.ROOT)
        target.write_bytes(catalog.read_bytes())
    return into


async def compare(sides: dict[str, Path],
                  args: argparse.Namespace) -> dict[str, list[tuple[float, float]]]:
    """Run the load on each side in turn; returns (steps/s, CPU ms/step) pairs per side."""
    plan = Plan(reporters=args.reporters, duration=args.duration)
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in sides}
    order = list(sides)
    root = procs.ROOT
    async with BenchBotApi() as api:
        try:
            for index in range(args.rounds):
                for name in order if index % 2 == 0 else order[::-1]:
                    procs.ROOT = sides[name]  # the bot process starts in that tree
                    row, _ = await wbs(api, plan, database=args.database, argon2=CHEAP_ARGON2)
                    runs[name].append((row.steps_per_s, row.cpu_ms_per_step))
                    print(f"{name}: {row.steps_per_s} steps/s, {row.cpu_ms_per_step} ms CPU/step",
                          flush=True)
                    await settle()
        finally:
            procs.ROOT = root
    return runs


def main(argv: list[str] | None = None) -> None:
    """Check out REV next to this tree, compare, clean up."""
    args = parse_args(argv)
    if args.database == "postgresql" and not pg.reachable():
        raise SystemExit("PostgreSQL at 127.0.0.1:5432 does not answer")
    with tempfile.TemporaryDirectory(prefix="wbs-ab-") as tmp:
        other = checkout(args.rev, Path(tmp) / "tree")
        try:
            runs = asyncio.run(compare({args.rev: other, "working tree": procs.ROOT}, args))
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(other)],
                           cwd=procs.ROOT, check=False, capture_output=True)
    for name, values in runs.items():
        print(f"{name:>14}: mean {mean(v[0] for v in values):.0f} steps/s, "
              f"{mean(v[1] for v in values):.2f} ms CPU/step over {len(values)} runs")


if __name__ == "__main__":
    main()
