"""Dated legal numbers for gratifikasi (handlers/law.py)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from handlers.i18n import t
from handlers.law import PERKPK_1_2026, SCHEDULE, known_since, rules_on

AMENDMENT_DAY = date(2026, 1, 20)
DAY_BEFORE = AMENDMENT_DAY - timedelta(days=1)


def test_ceremony_limit_rises_to_one_and_a_half_million_on_20_january_2026():
    assert rules_on(DAY_BEFORE).ceremony_per_giver == 1_000_000
    assert rules_on(AMENDMENT_DAY).ceremony_per_giver == 1_500_000


def test_colleague_limits_rise_on_20_january_2026():
    before, after = rules_on(DAY_BEFORE), rules_on(AMENDMENT_DAY)
    assert (before.colleague_per_giver, before.colleague_per_year) == (200_000, 1_000_000)
    assert (after.colleague_per_giver, after.colleague_per_year) == (500_000, 1_500_000)


def test_farewell_and_birthday_exception_exists_only_before_the_amendment():
    before, after = rules_on(DAY_BEFORE), rules_on(AMENDMENT_DAY)
    assert before.farewell_exception
    assert (before.farewell_per_giver, before.farewell_per_year) == (300_000, 1_000_000)
    assert not after.farewell_exception


def test_regulation_named_for_each_side_of_the_amendment():
    assert rules_on(DAY_BEFORE).regulation == "PerKPK 2/2019"
    assert rules_on(AMENDMENT_DAY).regulation == "PerKPK 1/2026"
    assert rules_on(date(2030, 1, 1)) is PERKPK_1_2026


@pytest.mark.parametrize("day", [DAY_BEFORE, AMENDMENT_DAY])
def test_legal_clocks_are_thirty_ten_and_three_working_days(day):
    rules = rules_on(day)
    assert rules.report_deadline_working_days == 30
    assert rules.upg_forward_working_days == 10
    assert rules.acknowledgement_working_days == 3


def test_report_completion_period_shortens_to_twenty_working_days():
    assert rules_on(DAY_BEFORE).completion_working_days == 30
    assert rules_on(AMENDMENT_DAY).completion_working_days == 20


def test_days_before_the_schedule_use_its_first_period():
    early = known_since() - timedelta(days=1)
    assert rules_on(early) is SCHEDULE[0]


def test_schedule_is_in_date_order_without_duplicates():
    starts = [rules.effective_from for rules in SCHEDULE]
    assert starts == sorted(set(starts))


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("rules", SCHEDULE, ids=lambda r: r.regulation)
def test_every_regulation_has_a_title_in_both_languages(rules, lang):
    assert "2019" in t(lang, rules.title_key)
