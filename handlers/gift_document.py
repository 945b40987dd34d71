"""A gift report as a document for KPK: PDF laid out like KPK's form (sections A-E), JSON, CSV.

Pure rendering: the caller decrypts the report (`handlers.gift_export`) and hands it here.
The form's sections: A. identitas pelapor, B. data pemberi, C. data gratifikasi, D. kronologi
dan dokumen, E. kompensasi dan catatan UPG. Labels come from the catalog in Indonesian by
default, as KPK reads them.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from handlers.engine.steps import Attachments, Choice, Date, Money
from handlers.gift import GIFT
from handlers.i18n import long_date, money, t

if TYPE_CHECKING:
    from fpdf import FPDF

SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("a", ("name", "nik", "nip", "position", "rank", "unit", "email", "phone")),
    ("b", ("giver_name", "giver_occupation", "giver_address", "relationship", "reason")),
    ("c", ("report_type", "event", "occasion", "object_type", "description", "value", "year_total",
           "location", "received_on", "place")),
    ("d", ("chronology", "documents")),
    ("e", ("compensation", "conflict", "check_outcome", "check_rule")),
)
FIELDS = tuple(key for _, keys in SECTIONS for key in keys)
FONT_PATHS = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"),
    Path("/usr/local/share/fonts/DejaVuSans.ttf"),
)
_STEPS = {step.id: step for step in GIFT.steps}


@dataclass(frozen=True, slots=True)
class GiftDocument:
    """Everything the export shows: the ticket's public facts and the decrypted fields."""

    code: str
    reported_at: datetime
    status: str
    report_due: date
    forward_due: date
    content: dict[str, Any] = field(repr=False)
    file_names: tuple[str, ...] = field(default=(), repr=False)


def label(key: str, lang: str) -> str:
    """The field's label on the form."""
    if key in ("check_outcome", "check_rule"):
        return t(lang, f"gift.export.field.{key}")
    return t(lang, f"gift.field.{key}")


def display(doc: GiftDocument, key: str, lang: str) -> str:
    """One field's value as written on the form ("-" when not given)."""
    value = doc.content.get(key)
    step = _STEPS.get(key)
    if key == "documents":
        return ", ".join(doc.file_names) if doc.file_names else "-"
    if value is None or value == "":
        return "-"
    if key == "check_outcome":
        return t(lang, f"gift.check.outcome.{value}")
    if isinstance(step, Choice):
        return t(lang, f"{step.labels}.{value}")
    if isinstance(step, Money):
        return money(int(value), lang)
    if isinstance(step, Date):
        return long_date(date.fromisoformat(value), lang)
    if isinstance(step, Attachments):
        return str(len(value))
    return str(value)


def _font(pdf: FPDF) -> str:
    """A Unicode font when the system has DejaVu, else the core font (Latin-1 only)."""
    for path in FONT_PATHS:
        if path.exists():
            pdf.add_font("DejaVu", "", str(path))
            return "DejaVu"
    return "Helvetica"


def _fit(text: str, font: str) -> str:
    """Core fonts only know Latin-1: replace anything else rather than fail the export."""
    return text if font == "DejaVu" else text.encode("latin-1", "replace").decode("latin-1")


def render_pdf(doc: GiftDocument, lang: str = "id") -> bytes:
    """The report on A4, in the order and sections of KPK's gift report form."""
    # imported here: fpdf2 costs ~20 MB of resident memory and only exports need it (bench/)
    from fpdf import FPDF  # noqa: PLC0415
    from fpdf.enums import XPos, YPos  # noqa: PLC0415

    pdf = FPDF(format="A4")
    pdf.set_title(f"{t(lang, 'gift.export.title')} {doc.code}")  # no personal data in metadata
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    font = _font(pdf)
    width = pdf.epw

    def line(text: str, size: int = 10, height: float = 6) -> None:
        pdf.set_font(font, size=size)
        pdf.multi_cell(width, height, _fit(text, font), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    line(t(lang, "gift.export.title"), size=14, height=8)
    for key, value in (
        ("gift.export.code", doc.code),
        ("gift.export.reported_at", long_date(doc.reported_at.date(), lang)),
        ("gift.export.report_due", long_date(doc.report_due, lang, weekday=True)),
        ("gift.export.forward_due", long_date(doc.forward_due, lang, weekday=True)),
        ("gift.export.status", t(lang, f"ticket.status.{doc.status}")),
    ):
        line(f"{t(lang, key)}: {value}")
    line(t(lang, "gift.deadline.estimate"), size=8, height=4)
    for section, keys in SECTIONS:
        pdf.ln(3)
        line(t(lang, f"gift.export.section.{section}"), size=12, height=7)
        for key in keys:
            pdf.set_font(font, size=10)
            pdf.multi_cell(width * 0.35, 6, _fit(label(key, lang), font), border="B",
                           new_x=XPos.RIGHT, new_y=YPos.TOP)
            pdf.multi_cell(width * 0.65, 6, _fit(display(doc, key, lang), font), border="B",
                           new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)
    line(t(lang, "gift.export.confidential"), size=8, height=4)
    return bytes(pdf.output())


def as_record(doc: GiftDocument) -> dict[str, Any]:
    """The report as plain values (what JSON and CSV carry)."""
    return {
        "code": doc.code,
        "reported_at": doc.reported_at.isoformat(),
        "status": doc.status,
        "report_due": doc.report_due.isoformat(),
        "upg_forward_due": doc.forward_due.isoformat(),
        **{key: doc.content.get(key) for key in FIELDS if key != "documents"},
        "documents": list(doc.file_names),
    }


def render_json(doc: GiftDocument) -> bytes:
    """The record as UTF-8 JSON, with the sections' field order."""
    return json.dumps(as_record(doc), ensure_ascii=False, indent=2).encode()


def _cell(value: Any) -> str:
    """A CSV cell that a spreadsheet will not run as a formula (=, +, -, @ lead to a quote)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def render_csv(doc: GiftDocument) -> bytes:
    """A header and one row (documents joined with "; "), UTF-8 with BOM for spreadsheets."""
    record = as_record(doc)
    record["documents"] = "; ".join(doc.file_names)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(record))
    writer.writeheader()
    writer.writerow({k: _cell(v) for k, v in record.items()})
    return ("\ufeff" + out.getvalue()).encode()
