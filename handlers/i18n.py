"""Translations (gettext catalogs in `locales/`, msgids are dotted keys) and Babel formatting."""

from __future__ import annotations

import gettext
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

from babel.dates import format_date as babel_format_date
from babel.numbers import format_decimal

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "wbs"
LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"


class MissingTranslationError(LookupError):
    """A msgid has no translation in a catalog (a bug: `make test` catches it)."""


@cache
def catalog(lang: str) -> gettext.GNUTranslations:
    """The compiled catalog for a language (built by `make` from the .po files)."""
    mo = LOCALES_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"
    with mo.open("rb") as fh:
        return gettext.GNUTranslations(fh)


def normalise_language(code: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    """Map a platform language code ("en-GB", "in", "id_ID") to a supported language."""
    if not code:
        return default
    base = code.replace("_", "-").split("-")[0].lower()
    if base == "in":  # Telegram clients and old Java locales call Indonesian "in"
        base = "id"
    return base if base in LANGUAGES else ("en" if default not in LANGUAGES else default)


def t(lang: str, key: str, /, **params: object) -> str:
    """The text for `key` in `lang`, with `{name}` placeholders filled from `params`."""
    text = catalog(lang if lang in LANGUAGES else DEFAULT_LANGUAGE).gettext(key)
    if text == key:
        raise MissingTranslationError(f"{lang}: {key}")
    return text.format(**params) if params else text


def money(amount: int | Decimal, lang: str) -> str:
    """Rupiah as Indonesians write it: Rp1.500.000 (id) or Rp1,500,000 (en)."""
    return "Rp" + format_decimal(amount, locale="id_ID" if lang == "id" else "en_US")


def long_date(day: date, lang: str, *, weekday: bool = False) -> str:
    """A date in words: "20 Januari 2026" / "Senin, 20 Januari 2026" (en: "20 January 2026")."""
    pattern = "EEEE, d MMMM y" if weekday else "d MMMM y"
    return babel_format_date(day, pattern, locale="id_ID" if lang == "id" else "en_GB")
