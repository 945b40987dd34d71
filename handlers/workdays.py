"""Indonesian working days (hari kerja) for the legal clocks of gift reports.

A working day is Monday to Friday that is not a holiday. Holidays come from the `holidays`
package (country ID): category PUBLIC (libur nasional) always, category GOVERNMENT (cuti
bersama, the joint leave days set each year by SKB 3 Menteri) only when the office counts them
as holidays. An override set, kept by the UPG (`wbs holidays add|remove`), adds local or
late-announced holidays and removes dates that turned out to be working days.

Every deadline computed here is an *estimate* and errs early: a date the package only
*estimates* (Islamic holidays of years whose dates are not yet confirmed, marked "estimated")
counts as a working day unless the calendar is told to trust estimates, and a year the package
does not yet know simply has fewer holidays. Fewer holidays means an earlier deadline, never a
later one. User-facing text must say the date is an estimate.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache

import holidays
from holidays.constants import GOVERNMENT, PUBLIC

COUNTRY = "ID"
_ESTIMATED = "(estimated)"  # the package's en_US label suffix for an unconfirmed date
_SATURDAY = 5


@dataclass(frozen=True, slots=True)
class Holiday:
    """One non-working weekday: its date, the package's (English) name and how we know it."""

    day: date
    name: str
    source: str  # "public", "government", "override"
    estimated: bool = False


@cache
def _package_holidays(year: int, category: str) -> tuple[Holiday, ...]:
    """The package's holidays of one category and year (built lazily, cached per process)."""
    table = holidays.country_holidays(COUNTRY, years=year, categories=(category,), language="en_US")
    found = []
    for day in sorted(table):
        names = table.get_list(day)
        confirmed = [name for name in names if _ESTIMATED not in name]
        found.append(
            Holiday(day, "; ".join(names), category, estimated=not confirmed),
        )
    return tuple(found)


def package_holidays(year: int) -> list[Holiday]:
    """Every holiday the package knows in `year`, both categories, estimated ones included."""
    return sorted((h for cat in (PUBLIC, GOVERNMENT) for h in _package_holidays(year, cat)),
                  key=lambda h: (h.day, h.source))


@dataclass(frozen=True, slots=True)
class WorkCalendar:
    """Which weekdays are holidays: package data, the cuti bersama flag and the overrides.

    `added` are extra holidays (local holidays, newly announced days); `removed` are dates that
    the package calls holidays but the office works. Weekends are never working days.
    """

    cuti_bersama_is_holiday: bool = False
    trust_estimated: bool = False
    added: frozenset[date] = field(default_factory=frozenset)
    removed: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        """Refuse a date that is both added and removed (the override table forbids it too)."""
        both = self.added & self.removed
        if both:
            raise ValueError(f"dates both added and removed: {sorted(both)}")

    def _categories(self) -> tuple[str, ...]:
        return (PUBLIC, GOVERNMENT) if self.cuti_bersama_is_holiday else (PUBLIC,)

    def package_holidays(self, year: int) -> list[Holiday]:
        """The package's holidays this calendar counts in `year` (weekends included)."""
        found = [h for cat in self._categories() for h in _package_holidays(year, cat)]
        return sorted(
            (h for h in found if self.trust_estimated or not h.estimated), key=lambda h: h.day
        )

    def is_holiday(self, day: date) -> bool:
        """Whether `day` is a holiday for this office (weekends aside)."""
        if day in self.added:
            return True
        if day in self.removed:
            return False
        return day in _holiday_dates(day.year, self._categories(), self.trust_estimated)

    def is_working_day(self, day: date) -> bool:
        """Whether `day` is a hari kerja: Monday-Friday and not a holiday."""
        return day.weekday() < _SATURDAY and not self.is_holiday(day)

    def holidays_between(self, first: date, last: date) -> list[Holiday]:
        """Every weekday holiday in [first, last], overrides applied, in date order."""
        years = range(first.year, last.year + 1)
        found = {
            h.day: h
            for year in years
            for h in self.package_holidays(year)
            if first <= h.day <= last and h.day not in self.removed
        }
        for day in self.added:
            if first <= day <= last:
                found[day] = Holiday(day, found[day].name if day in found else "", "override")
        return [found[d] for d in sorted(found) if d.weekday() < _SATURDAY]


@cache
def _holiday_dates(
    year: int, categories: tuple[str, ...], trust_estimated: bool
) -> frozenset[date]:
    """The set of package holiday dates of `year` for these categories (cached per process)."""
    return frozenset(
        h.day
        for cat in categories
        for h in _package_holidays(year, cat)
        if trust_estimated or not h.estimated
    )


def working_days_from(start: date, *, calendar: WorkCalendar) -> Iterator[date]:
    """The working days strictly after `start`, in order (an endless iterator)."""
    day = start
    while True:
        day += timedelta(days=1)
        if calendar.is_working_day(day):
            yield day


def working_days_after(start: date, n: int, *, calendar: WorkCalendar) -> date:
    """The n-th working day after `start`: "paling lambat n hari kerja sejak `start`".

    Counting begins on the first working day after `start` (day 1), whatever day `start` is.
    """
    if n < 1:
        raise ValueError("n must be at least 1")
    for count, day in enumerate(working_days_from(start, calendar=calendar), start=1):
        if count == n:
            return day
    raise AssertionError("unreachable: working_days_from never ends")  # pragma: no cover


def working_days_between(a: date, b: date, *, calendar: WorkCalendar) -> int:
    """Working days in (a, b]: how many have passed from a to b (negative when b < a)."""
    if b < a:
        return -working_days_between(b, a, calendar=calendar)
    days = (b - a).days
    return sum(1 for i in range(1, days + 1) if calendar.is_working_day(a + timedelta(days=i)))


def next_working_day(day: date, *, calendar: WorkCalendar) -> date:
    """`day` itself when it is a working day, else the first working day after it."""
    return day if calendar.is_working_day(day) else working_days_after(day, 1, calendar=calendar)
