"""The "Apakah wajib lapor?" check: does this gift have to be reported to KPK?

The employee answers a few questions (who gave it, on what occasion, cash or not, its value,
the date, a conflict of interest); `evaluate` returns a verdict with the catalog key of the
explanation and the dated rule it applied (`handlers.law`). The check is advice: when in doubt
the verdict is UNSURE, which the bot words as "report it to be safe", and an employee may always
report a gift the check calls exempt.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum

from handlers.i18n import long_date, money, t
from handlers.law import LegalRules, known_since, rules_on


class Relationship(StrEnum):
    """Who the giver is to the employee (KPK form: hubungan dengan pemberi)."""

    FAMILY = "family"
    INTERESTED = "interested"  # penyedia barang/jasa, penerima layanan, pihak yang diawasi
    COLLEAGUE = "colleague"
    UNKNOWN = "unknown"
    OTHER = "other"


class Occasion(StrEnum):
    """Why or how the gift was given, as far as the exceptions of PerKPK 2/2019 care."""

    CEREMONY = "ceremony"  # pertunangan, pernikahan, kelahiran, akikah, baptis, khitanan, adat
    FAREWELL = "farewell"  # pisah sambut, pensiun, mutasi, ulang tahun (between colleagues)
    SEMINAR_KIT = "seminar_kit"  # perlengkapan peserta seminar/pelatihan, berlaku umum
    PROMO = "promo"  # barang promosi/sosialisasi berlogo, berlaku umum
    FLOWERS = "flowers"  # karangan bunga ucapan
    MEAL = "meal"  # hidangan/sajian yang berlaku umum
    PUBLIC_OFFER = "public_offer"  # diskon, rabat, undian, voucher yang berlaku umum
    DISASTER = "disaster"  # bantuan musibah/bencana
    NONE = "none"  # no particular occasion


class Conflict(StrEnum):
    """Does the giver have an interest in the employee's duties (konflik kepentingan)?"""

    YES = "yes"
    NO = "no"
    UNSURE = "unsure"


class Outcome(StrEnum):
    """The answer of the check; UNSURE is worded as "report it to be safe"."""

    MUST_REPORT = "must_report"
    EXEMPT = "exempt"
    UNSURE = "unsure"


@dataclass(frozen=True, slots=True)
class GiftFacts:
    """The employee's answers. Money in whole rupiah; None when the employee does not know."""

    relationship: Relationship
    occasion: Occasion
    received_on: date
    conflict: Conflict = Conflict.NO
    cash: bool = False
    value: int | None = None
    year_total: int | None = None  # from the same giver this calendar year, this gift included


@dataclass(frozen=True, slots=True)
class Verdict:
    """The outcome, the msgid explaining it (with money params) and the rule applied."""

    outcome: Outcome
    reason_key: str
    rules: LegalRules
    params: dict[str, int] = field(default_factory=dict)
    note_key: str | None = None

    @property
    def should_report(self) -> bool:
        """Whether the bot advises reporting (must report, or unsure)."""
        return self.outcome is not Outcome.EXEMPT


_Check = Callable[[GiftFacts, LegalRules], Verdict | None]
_OPEN_TO_ALL = {Occasion.SEMINAR_KIT, Occasion.FLOWERS, Occasion.MEAL, Occasion.PUBLIC_OFFER}


def _verdict(outcome: Outcome, reason: str, rules: LegalRules, **params: int) -> Verdict:
    return Verdict(outcome, f"gift.check.reason.{reason}", rules, dict(params))


def _before_schedule(facts: GiftFacts, rules: LegalRules) -> Verdict | None:
    if facts.received_on < known_since():
        return _verdict(Outcome.UNSURE, "before_schedule", rules)
    return None


def _interested_party(facts: GiftFacts, rules: LegalRules) -> Verdict | None:
    if facts.relationship is Relationship.INTERESTED:
        return _verdict(Outcome.MUST_REPORT, "interested_party", rules)
    return None


def _conflict(facts: GiftFacts, rules: LegalRules) -> Verdict | None:
    if facts.conflict is Conflict.YES:
        return _verdict(Outcome.MUST_REPORT, "conflict", rules)
    if facts.conflict is Conflict.UNSURE:
        return _verdict(Outcome.UNSURE, "conflict_unsure", rules)
    return None


def _open_to_all(facts: GiftFacts, rules: LegalRules) -> Verdict | None:
    if facts.occasion in _OPEN_TO_ALL or (facts.occasion is Occasion.PROMO and not facts.cash):
        return _verdict(Outcome.EXEMPT, f"exempt_{facts.occasion.value}", rules)
    return None


def _unknown_giver(facts: GiftFacts, rules: LegalRules) -> Verdict | None:
    if facts.relationship is Relationship.UNKNOWN:
        return _verdict(Outcome.UNSURE, "unknown_giver", rules)
    return None


def _family_or_disaster(facts: GiftFacts, rules: LegalRules) -> Verdict | None:
    if facts.relationship is Relationship.FAMILY:
        return _verdict(Outcome.EXEMPT, "exempt_family", rules)
    if facts.occasion is Occasion.DISASTER:
        return _verdict(Outcome.EXEMPT, "exempt_disaster", rules)
    return None


def _ceremony(facts: GiftFacts, rules: LegalRules) -> Verdict | None:
    if facts.occasion is not Occasion.CEREMONY:
        return None
    limit = rules.ceremony_per_giver
    if facts.value is None:
        return _verdict(Outcome.UNSURE, "value_needed", rules)
    if facts.value <= limit:
        return _verdict(Outcome.EXEMPT, "ceremony_within", rules, limit=limit)
    return _verdict(Outcome.MUST_REPORT, "ceremony_over", rules, limit=limit)


def _colleague(facts: GiftFacts, rules: LegalRules) -> Verdict | None:
    if facts.relationship is not Relationship.COLLEAGUE:
        return None
    if facts.cash:
        return _verdict(Outcome.MUST_REPORT, "colleague_cash", rules)
    if facts.value is None:
        return _verdict(Outcome.UNSURE, "value_needed", rules)
    if facts.year_total is None:
        return _verdict(Outcome.UNSURE, "year_total_needed", rules)
    farewell = facts.occasion is Occasion.FAREWELL
    if farewell and rules.farewell_per_giver is not None and rules.farewell_per_year is not None:
        kind, per_giver, per_year = "farewell", rules.farewell_per_giver, rules.farewell_per_year
    else:
        kind, per_giver, per_year = "colleague", rules.colleague_per_giver, rules.colleague_per_year
    within = facts.value <= per_giver and max(facts.value, facts.year_total) <= per_year
    outcome = Outcome.EXEMPT if within else Outcome.MUST_REPORT
    found = _verdict(
        outcome, f"{kind}_{'within' if within else 'over'}", rules, limit=per_giver, year=per_year
    )
    if farewell and kind == "colleague":  # the farewell exception no longer exists
        return replace(found, note_key="gift.check.note.farewell_removed")
    return found


#: The checks in order; the first that answers wins. Reordering changes the law we apply.
CHECKS: tuple[_Check, ...] = (
    _before_schedule,
    _interested_party,
    _conflict,
    _open_to_all,
    _unknown_giver,
    _family_or_disaster,
    _ceremony,
    _colleague,
)


def evaluate(facts: GiftFacts) -> Verdict:
    """Judge the gift by the rules in force on the day it was received."""
    rules = rules_on(facts.received_on)
    for check in CHECKS:
        found = check(facts, rules)
        if found is not None:
            return found
    return _verdict(Outcome.MUST_REPORT, "no_exception", rules)


def explain(verdict: Verdict, lang: str) -> str:
    """The verdict in words: outcome, reason, the dated rule and what the employee can do."""
    params = {name: money(value, lang) for name, value in verdict.params.items()}
    parts = [
        t(lang, f"gift.check.outcome.{verdict.outcome.value}"),
        t(lang, verdict.reason_key, **params),
    ]
    if verdict.note_key:
        parts.append(t(lang, verdict.note_key))
    parts.append(
        t(
            lang,
            "gift.check.rule",
            regulation=t(lang, verdict.rules.title_key),
            since=long_date(verdict.rules.effective_from, lang),
        )
    )
    parts.append(t(lang, "gift.check.may_report" if not verdict.should_report else "gift.check.go_report"))
    return "\n\n".join(parts)
