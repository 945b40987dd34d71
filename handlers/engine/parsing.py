"""Reading dates and rupiah amounts the way Indonesians type them."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

MONTHS = {
    "januari": 1, "jan": 1, "january": 1,
    "februari": 2, "feb": 2, "pebruari": 2, "february": 2,
    "maret": 3, "mar": 3, "march": 3,
    "april": 4, "apr": 4,
    "mei": 5, "may": 5,
    "juni": 6, "jun": 6, "june": 6,
    "juli": 7, "jul": 7, "july": 7,
    "agustus": 8, "agu": 8, "agt": 8, "ags": 8, "aug": 8, "august": 8,
    "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "oct": 10, "october": 10,
    "november": 11, "nov": 11, "nopember": 11, "nop": 11,
    "desember": 12, "des": 12, "dec": 12, "december": 12,
}
RELATIVE = {"hari ini": 0, "today": 0, "tadi": 0, "kemarin": 1, "yesterday": 1,
            "kemarin lusa": 2, "lusa kemarin": 2}
_AGO = re.compile(r"^(\d{1,3})\s*(hari|days?|minggu|weeks?)\s*(yang\s+)?(lalu|ago)$")
_NUMERIC = re.compile(r"^(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4})$")
_WORDS = re.compile(r"^(\d{1,2})\s+([a-z]+)\.?\s+(\d{4})$")


def parse_date(text: str, *, today: date) -> date | None:
    """A date from "kemarin", "3 hari lalu", "12/11/2026", "2026-11-12" or "12 November 2026"."""
    s = " ".join(text.strip().lower().replace(",", " ").split())
    if s in RELATIVE:
        return today - timedelta(days=RELATIVE[s])
    if m := _AGO.match(s):
        n = int(m.group(1)) * (7 if m.group(2).startswith(("minggu", "week")) else 1)
        return today - timedelta(days=n)
    if m := _NUMERIC.match(s):
        a, b, c = (int(g) for g in m.groups())
        year, month, day = (a, b, c) if len(m.group(1)) == 4 else (c, b, a)  # ISO or d/m/y
        if year < 100:
            year += 2000
        return _safe_date(year, month, day)
    if (m := _WORDS.match(s)) and (named := MONTHS.get(m.group(2))):
        return _safe_date(int(m.group(3)), named, int(m.group(1)))
    return None


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


_SCALES = (
    (("triliun", "t"), 10**12),
    (("miliar", "milyar", "m", "b", "billion"), 10**9),
    (("juta", "jt", "million", "mio"), 10**6),
    (("ribu", "rb", "k", "thousand", "rebu"), 10**3),
)
_MONEY = re.compile(r"^(?:rp\.?|idr)?\s*([\d.,]+)\s*([a-z]*)\s*(?:rupiah)?$")


def parse_money(text: str) -> int | None:
    """Rupiah from "Rp 500.000", "500rb", "1,5 juta", "2jt", "Rp1.500.000,00"; None if unreadable."""
    s = text.strip().lower().replace(" ", "") if len(text) < 64 else ""
    m = _MONEY.match(s)
    if not m:
        return None
    number, unit = m.groups()
    scale = 1
    if unit:
        scale = next((v for names, v in _SCALES if unit in names), 0)
        if not scale:
            return None
    value = _number(number, scaled=scale > 1)
    if value is None:
        return None
    amount = int(value * scale)
    return amount if amount >= 0 else None


def _number(raw: str, *, scaled: bool) -> Decimal | None:
    """"1.500.000" and "1,5" as Indonesians write them; "1.5" too when a scale word follows."""
    digits = raw
    if re.fullmatch(r"\d{1,3}(\.\d{3})+(,\d{1,2})?", raw):  # 1.500.000 or 1.500.000,00
        digits = raw.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d{1,2})?", raw):  # 1,500,000 (English style)
        digits = raw.replace(",", "")
    elif re.fullmatch(r"\d+,\d{1,2}", raw):  # 1,5 juta / 500,00
        digits = raw.replace(",", ".")
    elif re.fullmatch(r"\d+\.\d{1,2}", raw) and scaled:  # 1.5jt
        digits = raw
    elif not raw.isdigit():
        return None
    try:
        return Decimal(digits)
    except InvalidOperation:
        return None
