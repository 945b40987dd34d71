"""How long the officers' digest takes over 100,000 tickets (in process, both databases)."""

from __future__ import annotations

import random
import tempfile
import time
from datetime import timedelta
from typing import Any

from sqlalchemy import insert

from bench import pg
from bench.targets import CHEAP_ARGON2
from bot.app import build_app
from bot.settings import load_settings
from handlers.jobs import Jobs
from storage.crypto import Keyring
from storage.models import DataKey, Ticket
from storage.models.base import new_id, utcnow

CATEGORIES = ("pungli", "suap", "pemerasan", "gratifikasi", "calo", "pelayanan", "lainnya")
STATUSES = ("diterima", "diverifikasi", "ditindaklanjuti", "selesai", "tidak_dapat_ditindaklanjuti")
BATCH = 5000


def _rows(count: int, key_id: str) -> list[dict[str, Any]]:
    now, rng = utcnow(), random.Random(7)
    rows = []
    for i in range(count):
        created = now - timedelta(minutes=rng.randrange(0, 60 * 24 * 400))
        status = rng.choice(STATUSES)
        rows.append({
            "id": new_id(), "code": f"WBS-{i:09d}", "kind": "complaint",
            "category": rng.choice(CATEGORIES), "channel": rng.choice(("telegram", "whatsapp")),
            "status": status, "data_key_id": key_id, "secret_hash": "x", "content": b"\0" * 64,
            "conflict_of_interest": rng.random() < 0.02, "created_at": created,
            "updated_at": created,
            "acknowledged_at": created + timedelta(days=1) if rng.random() < 0.7 else None,
            "closed_at": created + timedelta(days=20) if status in STATUSES[3:] else None,
            "last_reporter_message_at": created,
        })
    return rows


async def time_digest(database: str, tickets: int) -> dict[str, Any]:
    """Insert `tickets` tickets, then build the daily digest; seconds taken."""
    schema = await pg.create_schema() if database == "postgresql" else None
    with tempfile.TemporaryDirectory(prefix="wbs-bench-digest-") as tmp:
        settings = load_settings({
            "WBS_DATA_DIR": tmp, "WBS_DATABASE_URL": pg.PG_URL if schema else "",
            "WBS_DATABASE_SCHEMA": schema or "", "WBS_ARGON2_TIME_COST": str(CHEAP_ARGON2[0]),
            "WBS_ARGON2_MEMORY_KIB": str(CHEAP_ARGON2[1])})
        app = await build_app(settings, ring=Keyring.generate())
        try:
            key_id = new_id()

            async def fill(session: Any) -> None:
                await session.execute(insert(DataKey).values(id=key_id, kek_id="bench",
                                                              wrapped=b"\0" * 40))
                rows = _rows(tickets, key_id)
                for start in range(0, len(rows), BATCH):
                    await session.execute(insert(Ticket), rows[start:start + BATCH])

            await app.db.transaction(fill)
            jobs = Jobs(app.services)
            started = time.perf_counter()
            digest = await jobs.build_digest("daily", window_end=utcnow(), period_key="bench")
            seconds = time.perf_counter() - started
        finally:
            await app.close()
            if schema:
                await pg.drop_schema(schema)
    return {"tickets": tickets, "seconds": round(seconds, 3), "characters": len(digest.text)}
