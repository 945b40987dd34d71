"""Service levels of a ticket, counted in working days (hari kerja) from the day it came in.

* ``ack``: the team acknowledges a report within 3 working days (SP4N-LAPOR!'s level);
* ``kpk``: the UPG forwards a gift report to KPK within 10 working days (PerKPK 2/2019);
* ``feedback``: an officer writes to the reporter within a configurable number of working
  days (default 60, about the three months of ISO 37002 and EU Directive 2019/1937).

Numbers come from `handlers.law` (the rules in force on the day the ticket came in), dates
from `handlers.workdays`. Because a later start never gives an earlier due date, "every ticket
that came in on or before day X is late" is one date, and the database can count late tickets
with one comparison (`breach_cutoff`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from handlers.law import rules_on
from handlers.workdays import WorkCalendar, working_days_after, working_days_between

#: How far back the cutoff search looks (a deadline longer than this is not supported).
_MAX_LOOKBACK_DAYS = 800


class Deadline(StrEnum):
    """The clocks a ticket runs against."""

    ACK = "ack"
    KPK = "kpk"
    FEEDBACK = "feedback"


class Level(StrEnum):
    """A reminder when the deadline passes, and another to the escalation chat later."""

    DUE = "due"
    ESCALATED = "escalated"


@dataclass(frozen=True, slots=True)
class SlaPolicy:
    """The working-day counts in force; `margin` is how late a breach is before escalation."""

    feedback_working_days: int = 60
    escalation_margin: int = 2

    def working_days(self, deadline: Deadline, start: date) -> int:
        """How many working days `deadline` allows for a ticket that came in on `start`."""
        rules = rules_on(start)
        match deadline:
            case Deadline.ACK:
                return rules.acknowledgement_working_days
            case Deadline.KPK:
                return rules.upg_forward_working_days
            case Deadline.FEEDBACK:
                return self.feedback_working_days
        raise ValueError(deadline)

    def due(self, deadline: Deadline, start: date, *, calendar: WorkCalendar) -> date:
        """The last day on which `deadline` is still met."""
        return working_days_after(start, self.working_days(deadline, start), calendar=calendar)


def local_day(moment: datetime, tz: ZoneInfo) -> date:
    """The office-local date of an aware instant."""
    return moment.astimezone(tz).date()


def start_of_day(day: date, tz: ZoneInfo) -> datetime:
    """Local midnight of `day` as an aware instant."""
    return datetime.combine(day, time(), tzinfo=tz)


def overdue_working_days(due: date, today: date, *, calendar: WorkCalendar) -> int:
    """Working days that have passed since `due` (0 the day after a Friday deadline's weekend)."""
    return max(0, working_days_between(due, today, calendar=calendar))


def breach_cutoff(
    policy: SlaPolicy, deadline: Deadline, today: date, *, calendar: WorkCalendar,
    margin: int = 0, tz: ZoneInfo,
) -> datetime:
    """The instant before which every ticket has missed `deadline` as of `today`, by more than
    `margin` working days when a margin is given (escalation)."""
    late = _is_late(policy, deadline, today, calendar=calendar, margin=margin)
    day = today - timedelta(days=1)
    for _ in range(_MAX_LOOKBACK_DAYS):
        if late(day):
            return start_of_day(day + timedelta(days=1), tz)
        day -= timedelta(days=1)
    return start_of_day(day, tz)


def _is_late(policy: SlaPolicy, deadline: Deadline, today: date, *, calendar: WorkCalendar,
             margin: int) -> Callable[[date], bool]:
    def late(start: date) -> bool:
        due = policy.due(deadline, start, calendar=calendar)
        if margin:
            return overdue_working_days(due, today, calendar=calendar) > margin
        return due < today
    return late


def age(created_at: datetime, today: date, *, tz: ZoneInfo, calendar: WorkCalendar) -> tuple[int, int]:
    """(calendar days, working days) since the ticket came in."""
    start = local_day(created_at, tz)
    return (today - start).days, max(0, working_days_between(start, today, calendar=calendar))
