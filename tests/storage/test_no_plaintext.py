"""After a submission, the database file holds neither the report text nor the secret."""

from __future__ import annotations

import re
from pathlib import Path

from bot.app import build_app
from bot.settings import load_settings
from tests.handlers.test_complaint_flow import CHRONOLOGY, receipt_of, walk_to_summary
from tests.support.reporter import Reporter
from tests.support.settings import CHEAP_ARGON2


async def test_sqlite_file_contains_no_report_text_secret_or_handle(tmp_path: Path):
    settings = load_settings({"WBS_DATA_DIR": str(tmp_path), **CHEAP_ARGON2})
    app = await build_app(settings)
    handle = "reporter-handle-6281234567890"
    r = Reporter(app.engine, handle=handle)
    await walk_to_summary(r)
    await r.choose("confirm:submit")
    _code, secret = receipt_of(r)
    await app.close()

    raw = b"".join(p.read_bytes() for p in tmp_path.glob("wbs.db*"))
    for needle in (CHRONOLOGY, "Petugas loket 3", "Loket paspor lantai 1", secret,
                   secret.replace("-", ""), handle, "6281234567890"):
        assert needle.encode() not in raw, needle
    assert not re.search(rb"berkacamata", raw)
