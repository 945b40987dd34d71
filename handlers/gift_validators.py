"""Identity fields of the gift report: NIK, NIP, email and Indonesian phone numbers.

Each parser takes what the employee typed and returns the normalised value, or None when the
input is not valid; the flow then shows the matching `gift.error.*` message. Parsers are strict
about shape and lenient about spacing and punctuation people type (dots, dashes, spaces).
"""

from __future__ import annotations

import re
from datetime import date

NIK_LENGTH = 16
NIP_LENGTH = 18
EMAIL_MAX = 254
_SEPARATORS = re.compile(r"[\s.\-/]")
_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@"
    r"(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.[A-Za-z]{2,63}$"
)
_FEMALE_DAY_OFFSET = 40  # NIK: women's day of birth is stored plus 40
_PROVINCES = range(11, 98)  # two-digit province codes, Aceh (11) to the Papua provinces of 2022


def _digits(text: str) -> str:
    return _SEPARATORS.sub("", text.strip())


def _valid_date(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def parse_nik(text: str) -> str | None:
    """A Nomor Induk Kependudukan: 16 digits, a province code and a plausible birth date."""
    nik = _digits(text)
    if len(nik) != NIK_LENGTH or not nik.isascii() or not nik.isdigit():
        return None
    province = int(nik[:2])
    if province not in _PROVINCES:
        return None
    day, month, year = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    if day > _FEMALE_DAY_OFFSET:
        day -= _FEMALE_DAY_OFFSET
    # The two-digit year fits some century; 2000 is a leap year, so 29 Feb is always possible.
    if not _valid_date(2000 + year, month, day):
        return None
    return nik if nik[12:] != "0000" else None


def parse_nip(text: str) -> str | None:
    """A civil servant's NIP: 18 digits = birth date, appointment month, sex (1/2), serial."""
    nip = _digits(text)
    if len(nip) != NIP_LENGTH or not nip.isascii() or not nip.isdigit():
        return None
    born = (int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
    appointed_year, appointed_month = int(nip[8:12]), int(nip[12:14])
    if not _valid_date(*born) or not 1900 < born[0] < 2100:
        return None
    if not 1 <= appointed_month <= 12 or appointed_year < born[0]:
        return None
    if nip[14] not in "12":
        return None
    return nip


def parse_email(text: str) -> str | None:
    """An email address of ordinary shape (no display names, no quoted local parts)."""
    email = text.strip()
    if len(email) > EMAIL_MAX or not _EMAIL.match(email) or ".." in email:
        return None
    local, domain = email.rsplit("@", 1)
    if local.startswith(".") or local.endswith("."):
        return None
    return f"{local}@{domain.lower()}"


def parse_phone(text: str) -> str | None:
    """An Indonesian phone number as +62..., from "0812-3456-7890", "+62 812...", "021 555 1234".

    Mobile numbers are 8 followed by 8-11 digits; landlines an area code (2-9...) and number,
    7-10 digits in all after the leading 0.
    """
    raw = re.sub(r"[\s.\-()]", "", text.strip())
    if raw.startswith("+62"):
        national = raw[3:]
    elif raw.startswith("62"):
        national = raw[2:]
    elif raw.startswith("0"):
        national = raw[1:]
    else:
        return None
    if not national.isascii() or not national.isdigit() or national.startswith("0"):
        return None
    low, high = (9, 12) if national.startswith("8") else (7, 10)  # mobile or landline
    return f"+62{national}" if low <= len(national) <= high else None
