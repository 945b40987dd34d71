"""The gift reporter's own reminder: "remind me before my reporting deadline if this report
is still a draft". The consent is a step of the gift flow; agreeing schedules two reminders
(5 and 1 working days before the 30-working-day deadline, in the morning, office time) and
the scheduler (`handlers.gift_reminders`) sends them only while the conversation is still in the
gift flow. Gift drafts live until the day after that deadline (see `keep_until`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from handlers.engine.context import Turn
from handlers.engine.flow import Parsed
from handlers.engine.steps import Choice, Date
from handlers.engine.types import Inbound
from handlers.gift_clock import load_calendar, report_deadline
from handlers.workdays import WorkCalendar
from storage.reminders import cancel_gift_reminder, schedule_gift_reminder

STEP = "reminder"
AGREE = "ya"
#: Remind this many working days before the deadline (first, final).
BEFORE_WORKING_DAYS = (5, 1)
REMIND_AT = time(9, 0)  # office time
#: Channels the bot can write to first; a terminal reporter cannot be reminded.
PUSH_CHANNELS = ("telegram", "whatsapp")
#: A gift draft never lives longer than this (30 working days plus the longest holidays).
LONGEST_DRAFT_HOURS = 70 * 24.0


def working_days_before(due: date, n: int, *, calendar: WorkCalendar) -> date:
    """The working day that leaves exactly `n` working days up to `due`."""
    day = due
    left = 0
    while left < n:
        day -= timedelta(days=1)
        if calendar.is_working_day(day):
            left += 1
    return day


def received_on(turn: Turn) -> date | None:
    """The receipt date of the gift being reported (draft, or the check's answers)."""
    value = turn.draft.get("received_on") or (turn.context.get("check") or {}).get("received_on")
    return date.fromisoformat(value) if value else None


async def _deadline(turn: Turn, day: date) -> tuple[date, WorkCalendar]:
    calendar = await turn.read(lambda s: load_calendar(session=s, settings=turn.settings))
    return report_deadline(day, calendar=calendar).due, calendar


async def keep_until(turn: Turn) -> datetime | None:
    """The end of the day after the reporting deadline (office time), once the date is known."""
    day = received_on(turn)
    if day is None:
        return None
    due, _calendar = await _deadline(turn, day)
    return datetime.combine(due + timedelta(days=2), time.min, tzinfo=turn.settings.office.tz)


async def schedule(turn: Turn, day: date) -> None:
    """Queue (re)scheduling this draft's reminders for a gift received on `day`."""
    channel, handle, digest = turn.conv.channel, turn.inbound.handle, turn.conv.digest
    if channel not in PUSH_CHANNELS:
        return
    due, calendar = await _deadline(turn, day)
    times = [datetime.combine(working_days_before(due, n, calendar=calendar), REMIND_AT,
                              tzinfo=turn.settings.office.tz) for n in BEFORE_WORKING_DAYS]
    first, final = (at if at > turn.now else None for at in times)
    turn.write(lambda s: schedule_gift_reminder(
        session=s, ring=turn.ring, digest=digest, channel=channel, handle=handle, deadline=due,
        first_due_at=first, final_due_at=final))


def forget(turn: Turn) -> None:
    """Queue dropping this conversation's reminders (declined, submitted, a new draft)."""
    digest = turn.conv.digest
    turn.write(lambda s: cancel_gift_reminder(session=s, digest=digest))


@dataclass(frozen=True, kw_only=True)
class ReminderConsent(Choice):
    """Yes / no to the reminder; the answer schedules or drops it in the same commit."""

    async def parse(self, turn: Turn, inbound: Inbound) -> Parsed:
        """Accept the choice and act on it."""
        parsed = await Choice.parse(self, turn, inbound)
        day = received_on(turn)
        if parsed.error is None:
            if parsed.value == AGREE and day is not None:
                await schedule(turn, day)
            else:
                forget(turn)
        return parsed


@dataclass(frozen=True, kw_only=True)
class ReceiptDate(Date):
    """The receipt date; changing it moves a reminder the reporter agreed to."""

    async def parse(self, turn: Turn, inbound: Inbound) -> Parsed:
        """Accept the date and reschedule the reminder if there is one."""
        parsed = await Date.parse(self, turn, inbound)
        if parsed.error is None and turn.draft.get(STEP) == AGREE:
            await schedule(turn, date.fromisoformat(parsed.value))
        return parsed
