"""Standard crontab lines for APScheduler 3.x, whose day-of-week numbers start at Monday.

APScheduler 3 reads "1-5" as Tuesday-Saturday (agronholm/apscheduler#286); crontab means
Monday-Friday. Numeric day-of-week fields are expanded into day names before use.
"""

from __future__ import annotations

from datetime import tzinfo

from apscheduler.triggers.cron import CronTrigger

_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")  # crontab numbering, 7 = sun too


def _expand_part(part: str) -> list[str]:
    """One comma-separated item of a crontab day-of-week field, as day names."""
    base, _, step_text = part.partition("/")
    step = int(step_text) if step_text else 1
    if base == "*":
        first, last = 0, 6
    elif "-" in base:
        first_text, last_text = base.split("-", 1)
        first, last = int(first_text), int(last_text)
    else:
        first = int(base)
        last = 6 if step_text else first
    if not (0 <= first <= 7 and 0 <= last <= 7 and first <= last and step >= 1):
        raise ValueError(f"bad day-of-week {part!r}")
    return [_NAMES[n % 7] for n in range(first, last + 1, step)]


def crontab_weekdays(field: str) -> str:
    """A crontab day-of-week field in APScheduler 3's terms ("1-5" -> "mon,tue,wed,thu,fri")."""
    if field == "*" or any(c.isalpha() for c in field):
        return field  # names mean the same in both
    names: list[str] = []
    for part in field.split(","):
        names += [n for n in _expand_part(part) if n not in names]
    return ",".join(names)


def cron_trigger(expr: str, timezone: tzinfo | str | None = None) -> CronTrigger:
    """A CronTrigger from a standard five-field crontab line (Sunday = 0 or 7)."""
    fields = expr.split()
    if len(fields) != 5:
        raise ValueError(f"a crontab line has 5 fields, got {len(fields)}")
    minute, hour, day, month, weekday = fields
    return CronTrigger(minute=minute, hour=hour, day=day, month=month,
                       day_of_week=crontab_weekdays(weekday), timezone=timezone)
