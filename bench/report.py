"""Results: one row per measured target, printed as a table and saved as JSON."""

from __future__ import annotations

import json
import os
import platform
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.driver import LoadResult

TARGETS = {"steps_per_s": 1000, "ratio": 5.0, "p99_ms": 300, "rss_mb_10k_drafts": 150,
           "digest_s_100k": 1.0}


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100) by nearest rank; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


@dataclass
class Row:
    """One target's numbers."""

    name: str
    database: str
    reporters: int
    steps: int
    seconds: float
    steps_per_s: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    p99_step_done_ms: float
    peak_rss_mb: float
    cpu_ms_per_step: float
    driver_cpu_ms_per_step: float = 0.0
    reports: int = 0
    db_bytes_per_report: float | None = None
    errors: int = 0
    first_error: str | None = None
    ratio_vs_baseline: float | None = None

    @classmethod
    def of(cls, name: str, database: str, reporters: int, load: LoadResult, *,
           peak_rss_kib: int, cpu_seconds: float) -> Row:
        """Summarise a load run."""
        ms = [x * 1000 for x in load.latencies]
        return cls(name, database, reporters, load.steps, round(load.seconds, 2),
                   round(load.steps_per_second, 1), round(percentile(ms, 50), 1),
                   round(percentile(ms, 95), 1), round(percentile(ms, 99), 1),
                   round(percentile([x * 1000 for x in load.completions], 99), 1),
                   round(peak_rss_kib / 1024, 1),
                   round(cpu_seconds * 1000 / load.steps, 2) if load.steps else 0.0,
                   round(load.driver_cpu_seconds * 1000 / load.steps, 2) if load.steps else 0.0,
                   errors=len(load.errors), first_error=load.errors[0] if load.errors else None)


@dataclass
class Report:
    """Everything one `python -m bench` run measured."""

    started: str = field(default_factory=lambda: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
    machine: dict[str, Any] = field(default_factory=lambda: {
        "cpus": os.cpu_count(), "python": platform.python_version(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()]})
    settings: dict[str, Any] = field(default_factory=dict)
    rows: list[Row] = field(default_factory=list)
    memory: dict[str, Any] = field(default_factory=dict)
    digest: dict[str, Any] = field(default_factory=dict)
    targets: dict[str, float] = field(default_factory=lambda: dict(TARGETS))

    def add(self, row: Row) -> None:
        """Add a row; rows after the baseline get their ratio to it."""
        base = next((r for r in self.rows if r.name == "baseline"), None)
        if base and base.steps_per_s and row.name != "baseline":
            row.ratio_vs_baseline = round(row.steps_per_s / base.steps_per_s, 2)
        self.rows.append(row)

    def save(self, folder: Path) -> Path:
        """Write the JSON next to earlier runs; returns its path."""
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"bench-{self.started.replace(':', '')}.json"
        path.write_text(json.dumps(asdict(self), indent=2))
        return path

    def table(self) -> str:
        """The rows as a fixed-width table, then memory and digest lines."""
        head = (f"{'target':<22}{'db':<11}{'users':>6}{'steps/s':>9}{'x base':>8}{'p50 ms':>9}{'p95 ms':>9}"
                f"{'p99 ms':>9}{'RSS MB':>8}{'CPU ms/step':>12}{'driver':>8}{'B/report':>10}{'errors':>7}")
        lines = [head, "-" * len(head)]
        for r in self.rows:
            ratio = f"{r.ratio_vs_baseline:.1f}" if r.ratio_vs_baseline else "-"
            size = f"{r.db_bytes_per_report:.0f}" if r.db_bytes_per_report else "-"
            lines.append(f"{r.name:<22}{r.database:<11}{r.reporters:>6}{r.steps_per_s:>9.0f}{ratio:>8}"
                         f"{r.p50_ms:>9.0f}{r.p95_ms:>9.0f}{r.p99_ms:>9.0f}{r.peak_rss_mb:>8.0f}"
                         f"{r.cpu_ms_per_step:>12.2f}{r.driver_cpu_ms_per_step:>8.2f}{size:>10}"
                         f"{r.errors:>7}")
        if self.memory:
            lines.append(f"memory: {self.memory.get('drafts')} open drafts -> RSS "
                         f"{self.memory.get('rss_mb')} MB (peak {self.memory.get('peak_rss_mb')} MB)")
        for db, result in self.digest.items():
            lines.append(f"digest ({db}): {result}")
        lines.append(f"load average at start: {self.machine['load_average_at_start']} "
                     f"on {self.machine['cpus']} CPUs (other processes skew the numbers)")
        return "\n".join(lines)
