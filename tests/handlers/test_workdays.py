"""Working-day deadlines on the Indonesian calendar (handlers/workdays.py)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.workdays import (
    WorkCalendar,
    next_working_day,
    working_days_after,
    working_days_between,
)
from tests.handlers.holiday_data import PUBLIC_ONLY, WITH_CUTI_BERSAMA, package_days


def first_weekday_after(day: date) -> date:
    """The first Monday-Friday strictly after `day` (no holiday knowledge)."""
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def test_counting_starts_on_the_working_day_after_receipt():
    received = date(2026, 7, 6)  # a Monday in a month without holidays
    assert PUBLIC_ONLY.is_working_day(received)
    assert working_days_after(received, 1, calendar=PUBLIC_ONLY) == received + timedelta(days=1)
    assert working_days_after(received, 5, calendar=PUBLIC_ONLY) == received + timedelta(days=7)


def test_gift_received_on_a_saturday_counts_from_monday():
    saturday = date(2026, 7, 11)
    assert working_days_after(saturday, 1, calendar=PUBLIC_ONLY) == date(2026, 7, 13)


def test_zero_working_days_is_refused():
    with pytest.raises(ValueError, match="at least 1"):
        working_days_after(date(2026, 7, 6), 0, calendar=PUBLIC_ONLY)


def test_idul_fitri_2025_public_holidays_are_skipped():
    eid = package_days(2025, "Eid al-Fitr")[:2]  # the two public days of Idul Fitri
    assert all(d.weekday() < 5 for d in eid)
    eve = eid[0] - timedelta(days=1)
    assert working_days_after(eve, 1, calendar=PUBLIC_ONLY) == first_weekday_after(eid[-1])


def test_idul_fitri_2025_cuti_bersama_is_skipped_only_when_enabled():
    eid = package_days(2025, "Eid al-Fitr")
    joint = package_days(2025, "Eid al-Fitr Joint", category="government")
    eve = eid[0] - timedelta(days=1)
    after_joint = first_weekday_after(max(joint))
    assert working_days_after(eve, 1, calendar=WITH_CUTI_BERSAMA) == after_joint
    # Without the flag the joint-leave days are working days: the deadline comes earlier.
    assert working_days_after(eve, 1, calendar=PUBLIC_ONLY) == min(joint)


def test_idul_fitri_2026_on_a_weekend_only_moves_deadlines_through_cuti_bersama():
    eid = package_days(2026, "Eid al-Fitr")[:2]
    assert all(d.weekday() >= 5 for d in eid)
    joint = package_days(2026, "Eid al-Fitr Joint", category="government")
    eve = min(joint) - timedelta(days=1)
    weekday_joint = [d for d in joint if d.weekday() < 5]
    public = working_days_after(eve, 1, calendar=PUBLIC_ONLY)
    government = working_days_after(eve, 1, calendar=WITH_CUTI_BERSAMA)
    assert public == min(joint)  # Eid itself on Sat/Sun changes nothing for public holidays
    assert government == first_weekday_after(max(weekday_joint))
    span = working_days_between(eve, government, calendar=PUBLIC_ONLY)
    assert span == len(weekday_joint) + 1


def test_deadline_crosses_the_year_end_over_new_year():
    new_year = package_days(2027, "New Year")[0]
    last_day = new_year - timedelta(days=1)
    assert working_days_after(last_day, 1, calendar=PUBLIC_ONLY) == first_weekday_after(new_year)
    assert working_days_between(last_day, first_weekday_after(new_year), calendar=PUBLIC_ONLY) == 1


def test_christmas_cuti_bersama_2026_moves_the_deadline_when_enabled():
    christmas = package_days(2026, "Christmas Day")[0]
    joint = package_days(2026, "Christmas Joint", category="government")[0]
    before = min(christmas, joint) - timedelta(days=1)
    public = working_days_after(before, 2, calendar=PUBLIC_ONLY)
    government = working_days_after(before, 2, calendar=WITH_CUTI_BERSAMA)
    assert government > public
    assert not WITH_CUTI_BERSAMA.is_working_day(joint)
    assert PUBLIC_ONLY.is_working_day(joint)


def test_estimated_holidays_count_as_working_days_unless_trusted():
    estimated = [d for d in package_days(2027, "Eid al-Fitr") if d.weekday() < 5]
    table_names = PUBLIC_ONLY.package_holidays(2027)
    assert all(h.day not in estimated for h in table_names)
    trusting = WorkCalendar(trust_estimated=True)
    assert all(PUBLIC_ONLY.is_working_day(d) for d in estimated)
    assert not any(trusting.is_working_day(d) for d in estimated)


def test_override_adds_a_local_holiday_and_removes_a_package_holiday():
    local = date(2026, 7, 8)  # a Wednesday
    labour_day = package_days(2026, "International Labor Day")[0]
    calendar = WorkCalendar(added=frozenset({local}), removed=frozenset({labour_day}))
    assert not calendar.is_working_day(local)
    assert calendar.is_working_day(labour_day)
    assert not PUBLIC_ONLY.is_working_day(labour_day)
    listed = {h.day: h.source for h in calendar.holidays_between(date(2026, 1, 1), date(2026, 12, 31))}
    assert listed[local] == "override"
    assert labour_day not in listed


def test_override_cannot_add_and_remove_the_same_day():
    day = date(2026, 7, 8)
    with pytest.raises(ValueError, match="both added and removed"):
        WorkCalendar(added=frozenset({day}), removed=frozenset({day}))


def test_next_working_day_keeps_a_working_day_and_moves_a_holiday():
    new_year = package_days(2027, "New Year")[0]
    assert next_working_day(new_year, calendar=PUBLIC_ONLY) == first_weekday_after(new_year)
    monday = date(2026, 7, 6)
    assert next_working_day(monday, calendar=PUBLIC_ONLY) == monday


days = st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 6, 30))
counts = st.integers(min_value=1, max_value=40)
calendars = st.builds(
    WorkCalendar,
    cuti_bersama_is_holiday=st.booleans(),
    trust_estimated=st.booleans(),
    added=st.frozensets(days, max_size=3),
)


@settings(max_examples=150, deadline=None)
@given(start=days, n=counts, calendar=calendars)
def test_deadline_is_always_a_working_day_n_working_days_later(start, n, calendar):
    due = working_days_after(start, n, calendar=calendar)
    assert calendar.is_working_day(due)
    assert due > start
    assert working_days_between(start, due, calendar=calendar) == n
    assert working_days_between(due, start, calendar=calendar) == -n


@settings(max_examples=150, deadline=None)
@given(first=days, gap=st.integers(min_value=0, max_value=60), n=counts, calendar=calendars)
def test_a_later_receipt_never_gives_an_earlier_deadline(first, gap, n, calendar):
    later = first + timedelta(days=gap)
    assert working_days_after(first, n, calendar=calendar) <= working_days_after(later, n, calendar=calendar)
    assert working_days_after(first, n, calendar=calendar) < working_days_after(
        first, n + 1, calendar=calendar
    )


@settings(max_examples=150, deadline=None)
@given(start=days, n=counts, extra=st.frozensets(days, max_size=3))
def test_the_default_calendar_is_the_most_conservative(start, n, extra):
    default = working_days_after(start, n, calendar=PUBLIC_ONLY)
    for generous in (
        WITH_CUTI_BERSAMA,
        WorkCalendar(trust_estimated=True),
        WorkCalendar(added=extra),
    ):
        assert default <= working_days_after(start, n, calendar=generous)
