"""Spot personal data a reporter may paste by mistake: NIK, phone numbers, receipt secrets."""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"(?<=\d)[\s.\-]+(?=\d)")
_NIK = re.compile(r"(?<!\d)\d{16}(?!\d)")
_PHONE = re.compile(r"(?<![\d+])(?:\+?62|0)8\d{7,11}(?!\d)")
_SECRET = re.compile(r"(?<![A-Z0-9])(?:[2-9A-HJKMNP-TW-Z]{4}-?){3}[2-9A-HJKMNP-TW-Z]{4}(?![A-Z0-9])")


def find_leaks(text: str) -> list[str]:
    """Kinds of sensitive data found in `text`: "nik", "phone", "secret" (in that order)."""
    compact = _SEPARATORS.sub("", text)
    found = []
    if _NIK.search(compact):
        found.append("nik")
    if _PHONE.search(compact):
        found.append("phone")
    if _SECRET.search(text.upper()) and any(ch.isdigit() for ch in text):
        found.append("secret")
    return found
