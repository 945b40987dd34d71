"""Exporting a gift report for KPK: PDF like KPK's form, JSON, CSV, files; audit-logged."""

from __future__ import annotations

import csv
import io
import json
import re
import stat
from pathlib import Path

import pytest
from pypdf import PdfReader

from bot.app import App
from bot.cli.main import main
from handlers.gift_document import FIELDS
from handlers.gift_export import EXPORT_ACTION, NotAGiftReport, export_gift
from storage import audit
from storage.models.base import utcnow
from tests.handlers.test_complaint_flow import walk_to_summary
from tests.handlers.test_gift_flow import CHRONOLOGY, IDENTITY, answer_check, fill_report
from tests.support.reporter import Reporter


async def file_gift(reporter: Reporter) -> str:
    """Walk the gift flow to the end and return the Kode Laporan."""
    await answer_check(reporter)
    await fill_report(reporter)
    await reporter.choose("confirm:submit")
    found = re.search(r"WBS-[A-Z0-9]{4}-[A-Z0-9]{4}", reporter.text)
    assert found, reporter.text
    return found.group(0)


async def run_export(app: App, code: str, out: Path, actor: str = "cli:upg-admin"):
    return await export_gift(
        db=app.db,
        ring=app.services.ring,
        settings=app.settings,
        tz=app.settings.office.tz,
        code=code,
        out_dir=out,
        actor=actor,
        now=utcnow(),
    )


def squash(text: str) -> str:
    return " ".join(text.split())


async def test_export_writes_a_pdf_with_sections_a_to_e_and_every_answer(
    app: App, reporter: Reporter, tmp_path: Path
):
    code = await file_gift(reporter)
    done = await run_export(app, code, tmp_path / "out")
    pdf_path = done.directory / f"{code}.pdf"
    reader = PdfReader(pdf_path)
    text = squash("\n".join(page.extract_text() for page in reader.pages))
    assert "FORMULIR LAPORAN GRATIFIKASI" in text
    for header in (
        "A. IDENTITAS PELAPOR",
        "B. DATA PEMBERI GRATIFIKASI",
        "C. DATA PENERIMAAN/PENOLAKAN GRATIFIKASI",
        "D. KRONOLOGI DAN DOKUMEN PENDUKUNG",
        "E. KOMPENSASI DAN CATATAN",
    ):
        assert header in text
    for value in (
        code,
        IDENTITY["name"],
        IDENTITY["nik"],
        IDENTITY["nip"],
        IDENTITY["position"],
        IDENTITY["unit"],
        IDENTITY["email"],
        "+6281234567890",
        "Budi Santoso",
        "Pihak berkepentingan",
        "Rp750.000",
        "Dititipkan di UPG",
        "kartu.png",
        "Satu jam tangan merek Seiko",
        "Laporan penerimaan",
        squash(CHRONOLOGY),
    ):
        assert value in text, value
    assert IDENTITY["name"] not in str(reader.metadata)


async def test_export_json_and_csv_carry_every_field(app: App, reporter: Reporter, tmp_path: Path):
    code = await file_gift(reporter)
    done = await run_export(app, code, tmp_path)
    record = json.loads((done.directory / f"{code}.json").read_text())
    assert set(FIELDS) <= set(record)
    assert record["nik"] == IDENTITY["nik"]
    assert record["value"] == 750_000
    assert record["documents"] == ["kartu.png"]
    assert record["upg_forward_due"] > record["reported_at"][:10]
    rows = list(csv.DictReader(io.StringIO((done.directory / f"{code}.csv").read_text("utf-8-sig"))))
    assert len(rows) == 1
    assert set(FIELDS) <= set(rows[0])
    assert rows[0]["name"] == IDENTITY["name"]
    assert rows[0]["phone"] == "'+6281234567890"  # a leading + would be a formula in a spreadsheet


async def test_export_files_are_readable_by_their_owner_only(app: App, reporter: Reporter, tmp_path: Path):
    code = await file_gift(reporter)
    done = await run_export(app, code, tmp_path)
    assert len(done.files) == 4  # pdf, json, csv and the photo
    for path in done.files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(done.directory.stat().st_mode) == 0o700


async def test_every_export_is_recorded_in_the_audit_log(app: App, reporter: Reporter, tmp_path: Path):
    code = await file_gift(reporter)
    await run_export(app, code, tmp_path, actor="cli:siti")
    await run_export(app, code, tmp_path, actor="officer:42")

    async def read(session):
        return (
            await audit.entries(session=session, ticket_code=code, action=EXPORT_ACTION),
            await audit.verify(session=session),
        )

    entries, chain = await app.db.read(read)
    assert [e.actor for e in entries] == ["officer:42", "cli:siti"]
    assert chain.ok
    assert IDENTITY["nik"] not in entries[0].details


async def test_a_complaint_cannot_be_exported_as_a_gift_report(app: App, reporter: Reporter, tmp_path: Path):
    await walk_to_summary(reporter)
    await reporter.choose("confirm:submit")
    code = re.search(r"WBS-[A-Z0-9]{4}-[A-Z0-9]{4}", reporter.text).group(0)
    with pytest.raises(NotAGiftReport):
        await run_export(app, code, tmp_path)
    entries = await app.db.read(lambda s: audit.entries(session=s, action=EXPORT_ACTION))
    assert entries == []
    assert not (tmp_path / code).exists()


def test_cli_export_of_an_unknown_code_says_so(tmp_path: Path, monkeypatch, capsys):
    monkeypatch.setenv("WBS_DATA_DIR", str(tmp_path))
    assert main(["export", "gift", "WBS-AAAA-BBBB"]) == 1
    assert "no gift report with code WBS-AAAA-BBBB" in capsys.readouterr().err
