"""The employee's and the UPG's legal clocks (handlers/gift_clock.py)."""

from __future__ import annotations

from datetime import date, timedelta

from handlers.gift_clock import (
    Urgency,
    describe_forward_deadline,
    describe_report_deadline,
    report_deadline,
    upg_forward_deadline,
)
from handlers.workdays import working_days_after, working_days_between
from tests.handlers.holiday_data import PUBLIC_ONLY, WITH_CUTI_BERSAMA

HARI = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")


def test_report_deadline_is_thirty_working_days_after_receipt():
    received = date(2026, 11, 20)
    deadline = report_deadline(received, calendar=PUBLIC_ONLY)
    assert deadline.working_days == 30
    assert working_days_between(received, deadline.due, calendar=PUBLIC_ONLY) == 30
    assert PUBLIC_ONLY.is_working_day(deadline.due)


def test_upg_forwarding_deadline_is_ten_working_days_after_the_report():
    reported = date(2026, 12, 21)
    deadline = upg_forward_deadline(reported, calendar=WITH_CUTI_BERSAMA)
    assert working_days_between(reported, deadline.due, calendar=WITH_CUTI_BERSAMA) == 10


def test_deadline_text_shows_the_weekday_and_says_it_is_an_estimate():
    deadline = report_deadline(date(2026, 11, 20), calendar=PUBLIC_ONLY)
    text = describe_report_deadline(deadline, date(2026, 11, 20), "id", calendar=PUBLIC_ONLY)
    assert f"{HARI[deadline.due.weekday()]}, {deadline.due.day} " in text
    assert "30 hari kerja" in text
    assert "perkiraan" in text
    assert "Perhatian" not in text


def test_employee_is_warned_when_five_working_days_or_fewer_remain():
    deadline = report_deadline(date(2026, 11, 20), calendar=PUBLIC_ONLY)
    today = deadline.due - timedelta(days=1)
    while deadline.remaining(today, calendar=PUBLIC_ONLY) < 5:
        today -= timedelta(days=1)
    assert deadline.urgency(today, calendar=PUBLIC_ONLY) is Urgency.CLOSE
    text = describe_report_deadline(deadline, today, "en", calendar=PUBLIC_ONLY)
    assert "only 5 working days left" in text


def test_employee_is_told_on_the_last_day_and_after_it():
    deadline = report_deadline(date(2026, 11, 20), calendar=PUBLIC_ONLY)
    on_the_day = describe_report_deadline(deadline, deadline.due, "id", calendar=PUBLIC_ONLY)
    assert "hari terakhir" in on_the_day
    late = describe_report_deadline(deadline, deadline.due + timedelta(days=1), "id", calendar=PUBLIC_ONLY)
    assert "sudah lewat" in late
    assert deadline.urgency(deadline.due + timedelta(days=1), calendar=PUBLIC_ONLY) is Urgency.PASSED


def test_upg_sees_the_forwarding_deadline_then_lateness_then_the_forwarding_date():
    reported = date(2026, 12, 21)
    due = upg_forward_deadline(reported, calendar=PUBLIC_ONLY).due
    open_line = describe_forward_deadline(reported, reported, "id", calendar=PUBLIC_ONLY)
    assert f"{HARI[due.weekday()]}, {due.day} " in open_line
    assert "sisa 10 hari kerja" in open_line
    late_day = working_days_after(due, 2, calendar=PUBLIC_ONLY)
    late = describe_forward_deadline(reported, late_day, "en", calendar=PUBLIC_ONLY)
    assert "passed 2 working days ago" in late
    done = describe_forward_deadline(reported, late_day, "id", calendar=PUBLIC_ONLY,
                                     forwarded_on=due)
    assert done.startswith("Diteruskan ke KPK pada")
