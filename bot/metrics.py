"""Prometheus metrics of one app (its own registry, so tests and several apps never collide).

Labels carry only names from code (channel kinds, flow and step names, result words): never
ticket codes, reporter digests, ids or text. `label()` enforces it at the call site.
"""

from __future__ import annotations

import re
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import OutboxItem

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
_NAME = re.compile(r"[a-z_][a-z0-9_:.-]{0,31}")
_ID_LIKE = re.compile(r"[0-9]{6}|[0-9a-f]{12}")
CONTENT_TYPE = CONTENT_TYPE_LATEST


def label(value: Any) -> str:
    """A label value that is a short lower-case name from code; anything else becomes "other"
    (a code like WBS-7K3M-Q9XD, a digest or a sentence can never reach the output)."""
    text = str(getattr(value, "value", value) or "none")
    return text if _NAME.fullmatch(text) and not _ID_LIKE.search(text) else "other"


class Metrics:
    """Counters and histograms of the bot; `render()` is the /metrics body."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        reg = self.registry
        self.updates = Counter("wbs_updates", "Updates handled by the engine", ["channel"],
                               registry=reg)
        self.turn_seconds = Histogram("wbs_turn_seconds", "Time to handle one update",
                                      ["channel"], buckets=LATENCY_BUCKETS, registry=reg)
        self.turn_errors = Counter("wbs_turn_errors", "Updates that hit an unexpected error",
                                   ["channel"], registry=reg)
        self.turn_retries = Counter("wbs_turn_retries", "Turns re-run because another worker "
                                    "changed the conversation first", ["channel"], registry=reg)
        self.flow_steps = Counter("wbs_flow_steps", "Inputs handled per flow step",
                                  ["flow", "step"], registry=reg)
        self.deliveries = Counter("wbs_outbox_deliveries", "Outbox delivery attempts by result "
                                  "(sent, retry, failed)", ["channel", "result"], registry=reg)
        self.delivery_seconds = Histogram("wbs_outbox_delivery_seconds",
                                          "Time of one delivery attempt", ["channel"],
                                          buckets=LATENCY_BUCKETS, registry=reg)
        self.outbox_backlog = Gauge("wbs_outbox_backlog", "Messages waiting for delivery",
                                    ["channel"], registry=reg)
        self.digest_runs = Counter("wbs_digest_runs", "Digest runs by kind and result",
                                   ["kind", "result"], registry=reg)

    def turn(self, channel: Any, seconds: float) -> None:
        """One update handled by the engine."""
        self.updates.labels(label(channel)).inc()
        self.turn_seconds.labels(label(channel)).observe(seconds)

    def turn_failed(self, channel: Any) -> None:
        """An update ended in the polite internal-error reply."""
        self.turn_errors.labels(label(channel)).inc()

    def turn_retried(self, channel: Any) -> None:
        """Another worker saved the conversation first; the turn runs again."""
        self.turn_retries.labels(label(channel)).inc()

    def step(self, flow: str | None, step: str | None) -> None:
        """An input answered `step` of `flow` (None, None: the menu)."""
        self.flow_steps.labels(label(flow or "menu"), label(step or "none")).inc()

    def delivery(self, channel: Any, result: str, seconds: float) -> None:
        """One outbox delivery attempt: result is "sent", "retry" or "failed"."""
        self.deliveries.labels(label(channel), label(result)).inc()
        self.delivery_seconds.labels(label(channel)).observe(seconds)

    def digest_run(self, kind: str, result: str = "sent") -> None:
        """A digest job ran (kind "daily"/"weekly", result e.g. "sent", "skipped", "failed")."""
        self.digest_runs.labels(label(kind), label(result)).inc()

    def backlog(self, counts: dict[str, int]) -> None:
        """Set the outbox backlog gauge from fresh counts per channel."""
        self.outbox_backlog.clear()
        for channel, count in counts.items():
            self.outbox_backlog.labels(label(channel)).set(count)

    def render(self) -> bytes:
        """The text exposition format."""
        return generate_latest(self.registry)


async def outbox_backlog(*, session: AsyncSession) -> dict[str, int]:
    """Undelivered, not abandoned outbox messages per channel."""
    rows = await session.execute(
        select(col(OutboxItem.channel), func.count()).where(
            col(OutboxItem.delivered_at).is_(None), col(OutboxItem.failed_at).is_(None))
        .group_by(col(OutboxItem.channel)))
    return {channel: count for channel, count in rows}
