"""Running a turn again when it lost a race with another worker.

Writes take their locks in one order (storage/audit.py), yet two workers can still collide: a
group commit mixes several turns, a conversation changed since it was loaded, PostgreSQL kills
one side of a deadlock or a serialization failure, SQLite is busy. The losing transaction was
rolled back whole, so the turn (conversation or officer) simply runs again from the start,
after a short random pause so the same two workers stop colliding.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

from storage.conversations import ConcurrentUpdateError
from storage.transient import is_lost_race

log = logging.getLogger(__name__)
T = TypeVar("T")
ATTEMPTS = 8


def lost_race(exc: BaseException) -> bool:
    """True when `exc` means another worker won and nothing of ours was committed."""
    return isinstance(exc, ConcurrentUpdateError) or is_lost_race(exc)


async def pause_before_retry(attempt: int) -> None:
    """A random pause that doubles with each attempt (jitter, so racing workers drift apart)."""
    await asyncio.sleep(random.random() * 0.005 * 2**attempt)  # noqa: S311 - not a secret


async def rerun_lost_races(run: Callable[[], Awaitable[T]], *, what: str,
                           attempts: int = ATTEMPTS) -> T:
    """Await `run()`; when it loses a race, run it again (at most `attempts` times in all)."""
    for attempt in range(attempts):
        try:
            return await run()
        except Exception as exc:
            if attempt + 1 >= attempts or not lost_race(exc):
                raise
            log.info("%s lost a race with another worker (%s); running it again", what,
                     type(exc).__name__)
            await pause_before_retry(attempt)
    raise AssertionError("unreachable: the last attempt returns or raises")
