"""How long a digest takes over 100,000 tickets: `python -m tests.scheduler.measure_digest
[sqlite|postgresql] [open share]`. Prints timings; asserts nothing (no timing tests)."""

from __future__ import annotations

import asyncio
import random
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert

from bot.app import build_app
from bot.settings import load_settings
from handlers.jobs import Jobs, period_key
from storage.crypto import Keyring
from storage.models import DataKey, Ticket
from tests.conftest import PG_URL, _pg_schema

TICKETS = 100_000
CATEGORIES = ("pungli", "suap", "pemerasan", "calo", "pelayanan", "lainnya")
NOW = datetime(2026, 12, 28, 0, 30, tzinfo=UTC)


def ticket_rows(n: int, open_share: float, key_id: str) -> list[dict[str, object]]:
    """Tickets over the last 400 days; `open_share` of them still open."""
    rng = random.Random(7)
    rows = []
    for i in range(n):
        created = NOW - timedelta(minutes=rng.randrange(400 * 24 * 60))
        acked = created + timedelta(hours=rng.randrange(1, 200)) if rng.random() < 0.7 else None
        closed = rng.random() > open_share
        gift = rng.random() < 0.1
        rows.append({
            "id": uuid.uuid4().hex, "code": f"WBS-{i:08d}", "kind": "gift" if gift else "complaint",
            "category": "penerimaan" if gift else rng.choice(CATEGORIES),
            "channel": rng.choice(("telegram", "whatsapp")),
            "status": "selesai" if closed else rng.choice(("diterima", "diverifikasi")),
            "data_key_id": key_id, "secret_hash": "x", "content": b"sealed", "created_at": created,
            "updated_at": created, "acknowledged_at": acked,
            "closed_at": created + timedelta(days=20) if closed else None,
            "last_reporter_message_at": created + timedelta(days=1) if rng.random() < 0.2 else None,
            "last_officer_message_at": acked, "conflict_of_interest": rng.random() < 0.01,
            "failed_attempts": 0})
    return rows


async def measure(backend: str, open_share: float) -> None:
    """Seed, then time the daily and weekly digest three times each."""
    schema = None
    if backend == "postgresql":
        schema = "m_" + uuid.uuid4().hex[:8]
        await _pg_schema("create", schema)
        url = PG_URL
    else:
        url = f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/wbs.db"
    settings = load_settings({"WBS_DATABASE_URL": url, "WBS_DATABASE_SCHEMA": schema or "",
                              "WBS_DATA_DIR": tempfile.mkdtemp()})
    app = await build_app(settings, ring=Keyring.generate())
    app.services.clock = lambda: NOW
    try:
        key_id = uuid.uuid4().hex
        rows = ticket_rows(TICKETS, open_share, key_id)

        async def seed(s: object) -> None:
            await s.execute(insert(DataKey), [{"id": key_id, "kek_id": "k", "wrapped": b"w",  # type: ignore[attr-defined]
                                              "created_at": NOW}])
            for start in range(0, len(rows), 5000):
                await s.execute(insert(Ticket), rows[start:start + 5000])  # type: ignore[attr-defined]
        await app.db.transaction(seed)
        jobs = Jobs(app.services)
        for kind in ("daily", "weekly", "daily", "weekly", "daily", "weekly"):
            started = time.perf_counter()
            digest = await jobs.build_digest(kind, window_end=NOW,
                                             period_key=period_key(kind, NOW, settings.office.tz))
            took = time.perf_counter() - started
            print(f"{backend} {TICKETS} tickets, {open_share:.0%} open: {kind} digest "
                  f"{took * 1000:.0f} ms ({len(digest.text)} chars)")
    finally:
        await app.close()
        if schema:
            await _pg_schema("drop", schema)


if __name__ == "__main__":
    asyncio.run(measure(sys.argv[1] if len(sys.argv) > 1 else "sqlite",
                        float(sys.argv[2]) if len(sys.argv) > 2 else 0.2))
