"""Dates and rupiah amounts as people type them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers.engine.parsing import parse_date, parse_money

TODAY = date(2026, 11, 22)


@pytest.mark.parametrize(("text", "expected"), [
    ("kemarin", date(2026, 11, 21)),
    ("Hari ini", TODAY),
    ("12/11/2026", date(2026, 11, 12)),
    ("12-11-2026", date(2026, 11, 12)),
    ("2026-11-12", date(2026, 11, 12)),
    ("12 November 2026", date(2026, 11, 12)),
    ("12 Nopember 2026", date(2026, 11, 12)),
    ("1 Agustus 2025", date(2025, 8, 1)),
    ("3 hari lalu", date(2026, 11, 19)),
    ("2 minggu yang lalu", date(2026, 11, 8)),
    ("5 Jan 2026", date(2026, 1, 5)),
])
def test_dates_people_write_are_understood(text, expected):
    assert parse_date(text, today=TODAY) == expected


@pytest.mark.parametrize("text", ["", "besok pagi", "31/02/2026", "12 Foo 2026", "99/99/99",
                                  "2026", "kemarin dulu sekali"])
def test_unreadable_dates_give_none(text):
    assert parse_date(text, today=TODAY) is None


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)))
def test_every_date_round_trips_through_the_numeric_form(day):
    assert parse_date(day.strftime("%d/%m/%Y"), today=TODAY) == day
    assert parse_date(day.isoformat(), today=TODAY) == day


@given(st.text(max_size=200))
def test_arbitrary_text_never_crashes_the_date_reader(text):
    result = parse_date(text, today=TODAY)
    assert result is None or isinstance(result, date)


@given(st.integers(min_value=0, max_value=3650))
def test_days_ago_counts_back_from_today(n):
    assert parse_date(f"{n} hari lalu", today=TODAY) == (
        TODAY - timedelta(days=n) if n < 1000 else None)


@pytest.mark.parametrize(("text", "amount"), [
    ("Rp 500.000", 500_000), ("Rp500.000", 500_000), ("500rb", 500_000), ("500 ribu", 500_000),
    ("1,5 juta", 1_500_000), ("1.5jt", 1_500_000), ("2 juta", 2_000_000),
    ("Rp1.500.000,00", 1_500_000), ("IDR 1,500,000", 1_500_000), ("750000", 750_000),
    ("1 M", 1_000_000_000), ("0", 0),
])
def test_amounts_people_write_are_understood(text, amount):
    assert parse_money(text) == amount


@pytest.mark.parametrize("text", ["", "banyak", "-500", "Rp", "1.2.3", "5 kambing", "1,5,5 juta"])
def test_unreadable_amounts_give_none(text):
    assert parse_money(text) is None


@given(st.integers(min_value=0, max_value=10**12))
def test_every_amount_round_trips_through_indonesian_grouping(amount):
    grouped = f"{amount:,}".replace(",", ".")
    assert parse_money(f"Rp{grouped}") == amount
    assert parse_money(f"Rp {grouped},00") == amount


@given(st.text(max_size=200))
def test_arbitrary_text_never_crashes_the_money_reader(text):
    result = parse_money(text)
    assert result is None or result >= 0
