"""The "Apakah wajib lapor?" check (handlers/gift_check.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.gift_check import (
    Conflict,
    GiftFacts,
    Occasion,
    Outcome,
    Relationship,
    evaluate,
    explain,
)
from handlers.law import known_since

AMENDMENT_DAY = date(2026, 1, 20)
DAY_BEFORE = AMENDMENT_DAY - timedelta(days=1)


def ceremony(value: int | None, day: date) -> GiftFacts:
    return GiftFacts(Relationship.OTHER, Occasion.CEREMONY, day, value=value)


def colleague(value: int, year_total: int, day: date, **kw: object) -> GiftFacts:
    return GiftFacts(Relationship.COLLEAGUE, Occasion.NONE, day, value=value, year_total=year_total, **kw)


def test_wedding_gift_of_1_2_million_must_be_reported_before_the_amendment_only():
    assert evaluate(ceremony(1_200_000, DAY_BEFORE)).outcome is Outcome.MUST_REPORT
    assert evaluate(ceremony(1_200_000, AMENDMENT_DAY)).outcome is Outcome.EXEMPT


@pytest.mark.parametrize(("day", "limit"), [(DAY_BEFORE, 1_000_000), (AMENDMENT_DAY, 1_500_000)])
def test_ceremony_gift_exactly_at_the_limit_is_exempt_and_one_rupiah_more_is_not(day, limit):
    assert evaluate(ceremony(limit, day)).outcome is Outcome.EXEMPT
    assert evaluate(ceremony(limit + 1, day)).outcome is Outcome.MUST_REPORT


def test_ceremony_gift_without_a_value_is_unsure():
    verdict = evaluate(ceremony(None, AMENDMENT_DAY))
    assert verdict.outcome is Outcome.UNSURE
    assert verdict.should_report


def test_colleague_gift_of_300_thousand_is_exempt_only_after_the_amendment():
    assert evaluate(colleague(300_000, 300_000, DAY_BEFORE)).outcome is Outcome.MUST_REPORT
    assert evaluate(colleague(300_000, 300_000, AMENDMENT_DAY)).outcome is Outcome.EXEMPT


def test_colleague_gifts_over_the_yearly_total_must_be_reported():
    assert evaluate(colleague(500_000, 1_500_000, AMENDMENT_DAY)).outcome is Outcome.EXEMPT
    assert evaluate(colleague(500_000, 1_500_001, AMENDMENT_DAY)).outcome is Outcome.MUST_REPORT


def test_cash_from_a_colleague_is_never_exempt():
    verdict = evaluate(colleague(50_000, 50_000, AMENDMENT_DAY, cash=True))
    assert verdict.outcome is Outcome.MUST_REPORT
    assert verdict.reason_key == "gift.check.reason.colleague_cash"


def test_farewell_gift_uses_its_own_limit_before_the_amendment():
    facts = replace(colleague(250_000, 250_000, DAY_BEFORE), occasion=Occasion.FAREWELL)
    verdict = evaluate(facts)
    assert verdict.outcome is Outcome.EXEMPT
    assert verdict.reason_key == "gift.check.reason.farewell_within"
    over = evaluate(replace(facts, value=350_000, year_total=350_000))
    assert over.outcome is Outcome.MUST_REPORT


def test_farewell_gift_after_the_amendment_follows_the_general_colleague_limit():
    facts = GiftFacts(
        Relationship.COLLEAGUE, Occasion.FAREWELL, AMENDMENT_DAY, value=450_000, year_total=450_000
    )
    verdict = evaluate(facts)
    assert verdict.outcome is Outcome.EXEMPT
    assert verdict.reason_key == "gift.check.reason.colleague_within"
    assert verdict.note_key == "gift.check.note.farewell_removed"


def test_family_gift_is_exempt_unless_there_is_a_conflict_of_interest():
    family = GiftFacts(Relationship.FAMILY, Occasion.NONE, AMENDMENT_DAY, value=5_000_000)
    assert evaluate(family).outcome is Outcome.EXEMPT
    assert evaluate(replace(family, conflict=Conflict.YES)).outcome is Outcome.MUST_REPORT
    assert evaluate(replace(family, conflict=Conflict.UNSURE)).outcome is Outcome.UNSURE


def test_seminar_kit_is_exempt_but_not_from_a_supplier():
    kit = GiftFacts(Relationship.OTHER, Occasion.SEMINAR_KIT, AMENDMENT_DAY)
    assert evaluate(kit).outcome is Outcome.EXEMPT
    supplier = replace(kit, relationship=Relationship.INTERESTED)
    assert evaluate(supplier).outcome is Outcome.MUST_REPORT


def test_cash_promotion_is_not_a_promotional_item():
    promo = GiftFacts(Relationship.OTHER, Occasion.PROMO, AMENDMENT_DAY, value=100_000)
    assert evaluate(promo).outcome is Outcome.EXEMPT
    assert evaluate(replace(promo, cash=True)).outcome is Outcome.MUST_REPORT


def test_unknown_giver_is_unsure_for_a_ceremony_gift():
    facts = GiftFacts(Relationship.UNKNOWN, Occasion.CEREMONY, AMENDMENT_DAY, value=100_000)
    assert evaluate(facts).outcome is Outcome.UNSURE


def test_gift_without_any_exception_must_be_reported():
    facts = GiftFacts(Relationship.OTHER, Occasion.NONE, AMENDMENT_DAY, value=10_000)
    verdict = evaluate(facts)
    assert verdict.outcome is Outcome.MUST_REPORT
    assert verdict.reason_key == "gift.check.reason.no_exception"


def test_gift_older_than_the_rules_we_hold_is_unsure():
    facts = ceremony(10_000, known_since() - timedelta(days=1))
    assert evaluate(facts).outcome is Outcome.UNSURE


def test_explanation_names_the_limit_the_regulation_and_its_date_in_indonesian():
    text = explain(evaluate(ceremony(1_600_000, AMENDMENT_DAY)), "id")
    assert "WAJIB dilaporkan" in text
    assert "Rp1.500.000" in text
    assert "Peraturan KPK Nomor 1 Tahun 2026" in text
    assert "20 Januari 2026" in text


def test_explanation_in_english_uses_english_numbers_and_dates():
    text = explain(evaluate(ceremony(900_000, DAY_BEFORE)), "en")
    assert "does NOT have to be reported" in text
    assert "Rp1,000,000" in text
    assert "KPK Regulation No. 2 of 2019" in text
    assert "may still report" in text


facts_strategy = st.builds(
    GiftFacts,
    relationship=st.sampled_from(Relationship),
    occasion=st.sampled_from(Occasion),
    received_on=st.dates(min_value=date(2019, 1, 1), max_value=date(2027, 12, 31)),
    conflict=st.sampled_from(Conflict),
    cash=st.booleans(),
    value=st.none() | st.integers(min_value=0, max_value=20_000_000),
    year_total=st.none() | st.integers(min_value=0, max_value=20_000_000),
)


@settings(max_examples=300, deadline=None)
@given(facts=facts_strategy)
def test_conflict_of_interest_or_interested_giver_is_never_exempt(facts):
    verdict = evaluate(facts)
    if facts.conflict is not Conflict.NO or facts.relationship is Relationship.INTERESTED:
        assert verdict.outcome is not Outcome.EXEMPT


valued_facts = st.builds(
    GiftFacts,
    relationship=st.sampled_from([Relationship.OTHER, Relationship.COLLEAGUE]),
    occasion=st.sampled_from([Occasion.CEREMONY, Occasion.FAREWELL, Occasion.NONE]),
    received_on=st.dates(min_value=date(2025, 6, 1), max_value=date(2026, 6, 30)),
    value=st.integers(min_value=0, max_value=2_000_000),
    year_total=st.integers(min_value=0, max_value=2_000_000),
)


@settings(max_examples=300, deadline=None)
@given(facts=valued_facts, cut=st.integers(min_value=0, max_value=2_000_000))
def test_a_smaller_gift_is_never_judged_more_strictly(facts, cut):
    smaller = replace(facts, value=max(0, facts.value - cut), year_total=max(0, facts.year_total - cut))
    if evaluate(facts).outcome is Outcome.EXEMPT:
        assert evaluate(smaller).outcome is Outcome.EXEMPT
    if evaluate(smaller).outcome is Outcome.MUST_REPORT:
        assert evaluate(facts).outcome is Outcome.MUST_REPORT


@settings(max_examples=200, deadline=None)
@given(facts=facts_strategy)
def test_every_verdict_can_be_explained_in_both_languages(facts):
    verdict = evaluate(facts)
    for lang in ("id", "en"):
        assert explain(verdict, lang)
