"""Two worker processes on one PostgreSQL: every update of 50 interleaved conversations is
delivered to BOTH workers at the same moment (a load balancer retry, a platform redelivery),
and each reporter sends an album of files whose updates race each other across the workers;
each flow ends with exactly one correct report and no step or file lost or doubled."""

from __future__ import annotations

import asyncio
import random
import sys
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import func, select

from handlers.events import TICKET_NEW
from storage import tickets
from storage.conversations import load_conversation
from storage.crypto import Keyring, handle_digest
from storage.db import Database, make_engine
from storage.models import InboxItem, OutboxItem, Ticket
from tests.deploy.conftest import shared_database_env
from tests.handlers.test_complaint_flow import CHRONOLOGY

ROOT = Path(__file__).resolve().parents[2]
CONVERSATIONS = 50
ALBUM = 3


def steps(i: int) -> list[dict[str, str]]:
    """The inputs of one complete complaint; the chronology and amount identify conversation i."""
    return [{"text": "/start"}, {"option": "menu:complaint"}, {"option": "pungli"},
            {"text": f"{CHRONOLOGY} Kejadian ke-{i}."}, {"text": "Petugas loket 3"},
            {"option": "tidak"}, {"text": "kemarin"}, {"text": "Loket paspor lantai 1"},
            {"text": f"{100 + i}rb"}, {"album": [album_file(i, j) for j in range(ALBUM)]},
            {"option": "nav:done"}, {"option": "tidak"}, {"option": "confirm:submit"}]


def album_file(i: int, j: int) -> str:
    """The name of file j of reporter i's album (the worker makes a small PDF of it)."""
    return f"bukti-{i}-{j}.pdf"


async def deliver(http: aiohttp.ClientSession, urls: list[str], body: dict) -> dict:
    """One update to every worker at the same time, in random order; the one reply that counts."""
    answers = await asyncio.gather(*(http.post(u, json=body) for u in random.sample(urls, 2)))
    results = [await a.json() for a in answers]
    processed = [r for r in results if not r.get("duplicate")]
    assert len(processed) == 1, (body["id"], results)
    return processed[0]


async def start_worker(env: dict[str, str]) -> tuple[asyncio.subprocess.Process, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.deploy.worker", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE)
    assert proc.stdout is not None
    line = await asyncio.wait_for(proc.stdout.readline(), 60)
    assert line.strip().isdigit(), f"worker did not start: {line!r}"
    return proc, f"http://127.0.0.1:{int(line)}/update"


async def converse(http: aiohttp.ClientSession, urls: list[str], i: int) -> list[str]:
    """Send conversation i step by step (waiting for the reply, as a person does); every step
    goes to both workers at once, in random order. Returns the text the reporter saw."""
    seen = []
    for k, step in enumerate(steps(i)):
        who = {"handle": f"reporter-{i}"}
        if "album" in step:  # the files of an album arrive together, racing across workers
            replies = await asyncio.gather(*(
                deliver(http, urls, {"id": f"{i}-{k}-{j}", "file": name, **who})
                for j, name in enumerate(step["album"])))
        else:
            replies = [await deliver(http, urls, {"id": f"{i}-{k}", **step, **who})]
        seen.extend(text for reply in replies for text in reply["texts"])
    return seen


@pytest.mark.timeout(240)
async def test_two_workers_complete_every_flow_once(database, tmp_path: Path):
    env = shared_database_env(database, tmp_path) | {"WBS_LOG_LEVEL": "WARNING"}
    url, schema = database
    ring = Keyring.load(tmp_path / "wbs.key")
    workers = await asyncio.gather(start_worker(env), start_worker(env))
    try:
        async with aiohttp.ClientSession() as http:
            seen = await asyncio.gather(*(converse(http, [u for _, u in workers], i)
                                          for i in range(CONVERSATIONS)))
    finally:
        for proc, _ in workers:
            proc.terminate()
        await asyncio.gather(*(proc.wait() for proc, _ in workers))
    for transcript in seen:
        assert sum("WBS-" in text for text in transcript) == 1  # one receipt each

    db = Database(make_engine(url, schema=schema))
    try:
        async def check(session):
            found, files = {}, {}
            for row in (await session.execute(select(Ticket))).scalars():
                content = await tickets.read_content(session=session, ring=ring, ticket=row)
                found[content["chronology"]] = content["amount"]
                stored = await tickets.attachments(session=session, ring=ring, ticket=row)
                files[content["amount"] // 1000 - 100] = sorted(f.name for f in stored)
            inbox = (await session.execute(select(
                func.count(), func.count(InboxItem.processed_at)))).one()
            notices = (await session.execute(select(func.count()).select_from(OutboxItem)
                                             .where(OutboxItem.purpose == TICKET_NEW))).scalar()
            convs = [await load_conversation(session=session, ring=ring,
                                             digest=handle_digest(ring, "telegram", f"reporter-{i}"))
                     for i in range(CONVERSATIONS)]
            return found, files, tuple(inbox), notices, convs

        found, files, inbox, notices, convs = await db.read(check)
    finally:
        await db.close()
    assert found == {f"{CHRONOLOGY} Kejadian ke-{i}.": (100 + i) * 1000
                     for i in range(CONVERSATIONS)}
    assert files == {i: [album_file(i, j) for j in range(ALBUM)] for i in range(CONVERSATIONS)}
    per_flow = len(steps(0)) - 1 + ALBUM
    assert inbox == (CONVERSATIONS * per_flow,) * 2  # each update stored once and handled
    assert notices == CONVERSATIONS
    assert all(c is not None and c.flow is None for c in convs)
