"""Exporting a gift report for KPK: decrypt once, write PDF + JSON + CSV + files, audit it.

The report is decrypted only here, only for the export, and every export is first recorded in
the hash-chained audit log (`storage.audit`, action "gift.export"): no entry, no export. Files
are written owner-only (0600) in a directory named after the Kode Laporan.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.gift_clock import load_calendar, report_deadline, upg_forward_deadline
from handlers.gift_document import GiftDocument, render_csv, render_json, render_pdf
from handlers.settings import DomainSettings
from storage import audit, tickets
from storage.crypto import Keyring
from storage.db import Database
from storage.tickets import StoredFile

EXPORT_ACTION = "gift.export"
FORMATS = ("pdf", "json", "csv")
_SAFE_NAME = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")


class NotAGiftReport(LookupError):
    """No gift report has this Kode Laporan."""


@dataclass(frozen=True, slots=True)
class Exported:
    """Where the export went (the paths only; never the content)."""

    code: str
    directory: Path
    files: tuple[Path, ...]


async def load_document(
    *, session: AsyncSession, ring: Keyring, code: str, settings: DomainSettings, tz: ZoneInfo
) -> tuple[GiftDocument, list[StoredFile]]:
    """Decrypt the gift report `code` into a document and its files."""
    ticket = await tickets.find_ticket(session=session, code=code.strip().upper())
    if ticket is None or ticket.kind != "gift":
        raise NotAGiftReport(code)
    content = await tickets.read_content(session=session, ring=ring, ticket=ticket)
    files = await tickets.attachments(session=session, ring=ring, ticket=ticket)
    calendar = await load_calendar(session=session, settings=settings)
    reported_on = ticket.created_at.astimezone(tz).date()
    received_on = date.fromisoformat(content["received_on"])
    doc = GiftDocument(
        code=ticket.code,
        reported_at=ticket.created_at.astimezone(tz),
        status=ticket.status,
        report_due=report_deadline(received_on, calendar=calendar).due,
        forward_due=upg_forward_deadline(reported_on, calendar=calendar).due,
        content=content,
        file_names=tuple(f.name for f in files),
    )
    return doc, files


def _safe(name: str) -> str:
    cleaned = "".join(ch if ch in _SAFE_NAME else "_" for ch in name).lstrip(".")
    return cleaned[:80] or "lampiran"


def _write_private(path: Path, data: bytes) -> Path:
    """Write a file readable by its owner only (the content is personal data)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    return path


@dataclass(frozen=True, slots=True)
class ExportFile:
    """One file of an export: its name, type and bytes."""

    name: str
    content_type: str
    data: bytes


async def prepare_export(
    *,
    db: Database,
    ring: Keyring,
    settings: DomainSettings,
    tz: ZoneInfo,
    code: str,
    actor: str,
    now: datetime,
    lang: str = "id",
) -> tuple[GiftDocument, list[ExportFile]]:
    """Audit, then decrypt and render: PDF, JSON, CSV and the report's own files."""
    probe = await db.read(lambda s: tickets.find_ticket(session=s, code=code.strip().upper()))
    if probe is None or probe.kind != "gift":
        raise NotAGiftReport(code)
    await db.transaction(lambda s: audit.record(
        session=s, actor=actor, action=EXPORT_ACTION, ticket_code=probe.code,
        details={"formats": list(FORMATS)}, now=now))

    async def load(session: AsyncSession) -> tuple[GiftDocument, list[StoredFile]]:
        return await load_document(session=session, ring=ring, code=probe.code, settings=settings,
                                   tz=tz)

    doc, files = await db.read(load)
    rendered = [
        ExportFile(f"{doc.code}.pdf", "application/pdf", render_pdf(doc, lang)),
        ExportFile(f"{doc.code}.json", "application/json", render_json(doc)),
        ExportFile(f"{doc.code}.csv", "text/csv", render_csv(doc)),
    ]
    rendered += [ExportFile(f"{n:02d}-{_safe(f.name)}", f.content_type, f.data)
                 for n, f in enumerate(files, start=1)]
    return doc, rendered


async def export_gift(
    *,
    db: Database,
    ring: Keyring,
    settings: DomainSettings,
    tz: ZoneInfo,
    code: str,
    out_dir: Path,
    actor: str,
    now: datetime,
    lang: str = "id",
) -> Exported:
    """Export one gift report into `out_dir/<code>/` (0700; files 0600), audited first."""
    doc, rendered = await prepare_export(db=db, ring=ring, settings=settings, tz=tz, code=code,
                                         actor=actor, now=now, lang=lang)
    directory = out_dir / doc.code
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    written = tuple(_write_private(directory / item.name, item.data) for item in rendered)
    return Exported(doc.code, directory, written)
