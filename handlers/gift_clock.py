"""The legal clocks of a gift report: the employee's 30 and the UPG's 10 working days.

Dates come from `handlers.workdays` (an early estimate) and the numbers from `handlers.law`
(the rules in force on the day the clock starts).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.i18n import long_date, t
from handlers.law import LegalRules, rules_on
from handlers.settings import DomainSettings
from handlers.workdays import WorkCalendar, working_days_after, working_days_between
from storage.holidays import list_overrides
from storage.models.holiday import ADD, REMOVE

#: Warn the employee when this many working days or fewer remain.
CLOSE_WITHIN_WORKING_DAYS = 5


class Urgency(StrEnum):
    """How a deadline stands today."""

    OPEN = "open"
    CLOSE = "close"
    TODAY = "today"
    PASSED = "passed"


@dataclass(frozen=True, slots=True)
class Deadline:
    """A clock: started on `start`, due on `due` after `working_days` working days."""

    start: date
    due: date
    working_days: int
    rules: LegalRules

    def remaining(self, today: date, *, calendar: WorkCalendar) -> int:
        """Working days left after `today` up to the due date (negative once passed)."""
        return working_days_between(today, self.due, calendar=calendar)

    def urgency(self, today: date, *, calendar: WorkCalendar) -> Urgency:
        """OPEN, CLOSE (few working days left), TODAY or PASSED."""
        if today > self.due:
            return Urgency.PASSED
        if today == self.due:
            return Urgency.TODAY
        if self.remaining(today, calendar=calendar) <= CLOSE_WITHIN_WORKING_DAYS:
            return Urgency.CLOSE
        return Urgency.OPEN


async def load_calendar(*, session: AsyncSession, settings: DomainSettings) -> WorkCalendar:
    """The office's working-day calendar: settings plus the UPG's overrides."""
    rows = await list_overrides(session=session)
    return WorkCalendar(
        cuti_bersama_is_holiday=settings.gift.cuti_bersama_is_holiday,
        trust_estimated=settings.gift.trust_estimated_holidays,
        added=frozenset(r.day for r in rows if r.kind == ADD),
        removed=frozenset(r.day for r in rows if r.kind == REMOVE),
    )


def report_deadline(received_on: date, *, calendar: WorkCalendar) -> Deadline:
    """When the employee must report a gift to KPK (UU 20/2001 Pasal 12C)."""
    rules = rules_on(received_on)
    n = rules.report_deadline_working_days
    return Deadline(received_on, working_days_after(received_on, n, calendar=calendar), n, rules)


def upg_forward_deadline(reported_on: date, *, calendar: WorkCalendar) -> Deadline:
    """When the UPG must forward a report it received on `reported_on` to KPK."""
    rules = rules_on(reported_on)
    n = rules.upg_forward_working_days
    return Deadline(reported_on, working_days_after(reported_on, n, calendar=calendar), n, rules)


def describe_report_deadline(
    deadline: Deadline, today: date, lang: str, *, calendar: WorkCalendar
) -> str:
    """The deadline line for the employee, with the weekday, a warning and the estimate note."""
    urgency = deadline.urgency(today, calendar=calendar)
    lines = [
        t(
            lang,
            "gift.deadline.report",
            n=deadline.working_days,
            due=long_date(deadline.due, lang, weekday=True),
        )
    ]
    if urgency is not Urgency.OPEN:
        left = deadline.remaining(today, calendar=calendar)
        lines.append(t(lang, f"gift.deadline.{urgency.value}", left=left))
    lines.append(t(lang, "gift.deadline.estimate"))
    return "\n".join(lines)


def describe_forward_deadline(
    reported_on: date, today: date, lang: str, *, calendar: WorkCalendar,
    forwarded_on: date | None = None,
) -> str:
    """The UPG's line on a gift ticket: forward to KPK by <date> (N working days left / late)."""
    deadline = upg_forward_deadline(reported_on, calendar=calendar)
    due = long_date(deadline.due, lang, weekday=True)
    if forwarded_on is not None:
        return t(lang, "gift.upg.forwarded", day=long_date(forwarded_on, lang), due=due)
    left = deadline.remaining(today, calendar=calendar)
    key = "gift.upg.forward_late" if left < 0 else "gift.upg.forward_due"
    return t(lang, key, n=deadline.working_days, due=due, left=abs(left))
