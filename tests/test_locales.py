"""Every message exists in Indonesian and English, with the same placeholders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from handlers import i18n
from handlers.registry import all_flows
from handlers.statuses import Status, status_key

ROOT = Path(__file__).resolve().parent.parent
NAMESPACES = ("common", "menu", "complaint", "status", "receipt", "ticket", "telegram",
              "whatsapp", "officer", "gift", "digest", "deploy")
KEY_LITERAL = re.compile(r"""["']((?:{})\.[a-z0-9_]+(?:\.[a-z0-9_]+)*)["']""".format("|".join(NAMESPACES)))
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def catalog(lang: str) -> dict[str, str]:
    """msgid -> msgstr of one .po file."""
    with (ROOT / "locales" / lang / "LC_MESSAGES" / "wbs.po").open("rb") as fh:
        return {m.id: m.string for m in read_po(fh) if m.id}


def keys_in_code(known: set[str]) -> set[str]:
    """Message keys written as literals in the application code (label prefixes such as
    "complaint.category", completed at run time, and foreign keys like "ticket.id" excluded)."""
    found: set[str] = set()
    for folder in ("bot", "handlers"):
        for path in (ROOT / folder).rglob("*.py"):
            found |= set(KEY_LITERAL.findall(path.read_text(encoding="utf-8")))
    return {k for k in found if not any(other.startswith(k + ".") for other in known)}


def keys_of_flows() -> set[str]:
    """Keys built at run time from flow definitions and statuses."""
    keys = {status_key(s) for s in Status}
    for flow in all_flows():
        if flow.intro:
            keys.add(flow.intro)
        if flow.menu:
            keys.add(flow.menu[0])
        if flow.confirm_notice:
            keys.add(flow.confirm_notice)
        for step in flow.steps:
            keys.add(step.ask)
            if flow.summary and not step.sensitive:
                keys.add(f"{flow.name}.field.{step.id}")
            for choice in getattr(step, "choices", ()):
                keys.add(f"{step.labels}.{choice}")
    return keys


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_every_key_used_by_the_code_is_translated(lang: str):
    messages = catalog(lang)
    used = keys_in_code(set(messages)) | keys_of_flows()
    missing = sorted(k for k in used if not messages.get(k))
    assert not missing, f"untranslated in {lang}: {missing}"


def test_indonesian_and_english_have_the_same_keys_and_placeholders():
    ind, eng = catalog("id"), catalog("en")
    assert set(ind) == set(eng), set(ind) ^ set(eng)
    for key in ind:
        assert set(PLACEHOLDER.findall(ind[key])) == set(PLACEHOLDER.findall(eng[key])), key


def test_indonesian_uses_formal_address():
    informal = re.compile(r"\b(kamu|kau|lu|lo|gue|gw|elo)\b", re.IGNORECASE)
    offenders = [k for k, v in catalog("id").items() if informal.search(v)]
    assert not offenders, offenders


def test_money_and_dates_follow_indonesian_conventions():
    from datetime import date  # noqa: PLC0415

    assert i18n.money(1_500_000, "id") == "Rp1.500.000"
    assert i18n.long_date(date(2026, 1, 20), "id") == "20 Januari 2026"
    assert i18n.long_date(date(2027, 1, 5), "id", weekday=True) == "Selasa, 5 Januari 2027"
    assert i18n.long_date(date(2026, 1, 20), "en") == "20 January 2026"
