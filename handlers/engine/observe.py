"""What the engine and the jobs report to the runtime, by injection: the runtime's metrics
(Prometheus, in `bot.metrics`) and its mailer fit these shapes; handlers never import them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

#: `send(subject, text) -> sent?`; failures are reported as False, never raised.
Mail = Callable[[str, str], Awaitable[bool]]


class TurnMetrics(Protocol):
    """Counts and times of the engine's turns (labels are names from code, never content)."""

    def turn(self, channel: str, seconds: float) -> None:
        """One update handled."""

    def turn_failed(self, channel: str) -> None:
        """One update that raised."""

    def turn_retried(self, channel: str) -> None:
        """One turn retried after a write conflict."""

    def step(self, flow: str | None, step: str | None) -> None:
        """One step answered."""


class JobMetrics(Protocol):
    """Counts of the scheduled jobs."""

    def digest_run(self, kind: str, result: str = "sent") -> None:
        """One digest run and what came of it."""


class NoMetrics:
    """Metrics that go nowhere (tests and tools that build an engine by hand)."""

    def turn(self, channel: str, seconds: float) -> None:
        """Nothing."""

    def turn_failed(self, channel: str) -> None:
        """Nothing."""

    def turn_retried(self, channel: str) -> None:
        """Nothing."""

    def step(self, flow: str | None, step: str | None) -> None:
        """Nothing."""
