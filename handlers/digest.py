"""The officers' digest, rendered from counts: ticket codes, categories, ages and SLA
breaches — never report content (storage.digests never reads a content column).

Pure: it takes the facts gathered by `storage.digests` and returns text in the team's language.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.numbers import format_decimal

from handlers.i18n import MissingTranslationError, long_date, t
from handlers.sla import Deadline, SlaPolicy, age, local_day, overdue_working_days
from handlers.statuses import status_key
from handlers.workdays import WorkCalendar
from storage.digests import DigestFacts, Indicators, Section, TicketLine

DAY_SECONDS = 86400


@dataclass(frozen=True, slots=True)
class DigestView:
    """Who reads the digest and on which day: language, office time zone and calendar."""

    lang: str
    today: date
    tz: ZoneInfo
    calendar: WorkCalendar
    policy: SlaPolicy
    team: str

    @property
    def working_day(self) -> bool:
        """Whether `today` is a working day (no daily digest on holidays)."""
        return self.calendar.is_working_day(self.today)


def _label(lang: str, key: str, fallback: str) -> str:
    try:
        return t(lang, key)
    except MissingTranslationError:
        return fallback


def category_label(lang: str, kind: str, category: str) -> str:
    """The category's name in `lang` (gift reports: receipt or refusal)."""
    prefix = "gift.report_type" if kind == "gift" else "complaint.category"
    return _label(lang, f"{prefix}.{category}", category)


def status_label(lang: str, status: str) -> str:
    """A status's name in `lang` (the raw value if unknown)."""
    try:
        return t(lang, status_key(status))
    except (ValueError, MissingTranslationError):
        return status


def _items(view: DigestView, pairs: Iterable[tuple[str, int]]) -> str:
    text = ", ".join(f"{label} {count}" for label, count in sorted(pairs, key=lambda p: (-p[1], p[0])))
    return text or t(view.lang, "digest.none")


def _line(view: DigestView, line: TicketLine, deadline: Deadline | None = None) -> str:
    days, working = age(line.created_at, view.today, tz=view.tz, calendar=view.calendar)
    params = {"code": line.code, "category": category_label(view.lang, line.kind, line.category),
              "age": t(view.lang, "digest.age", days=days, working=working)}
    if deadline is None:
        return "  " + t(view.lang, "digest.line", **params)
    due = view.policy.due(deadline, local_day(line.created_at, view.tz), calendar=view.calendar)
    late = overdue_working_days(due, view.today, calendar=view.calendar)
    return "  " + t(view.lang, "digest.line.late", late=late, **params)


def _section(view: DigestView, head: str, section: Section, deadline: Deadline | None = None,
             ) -> list[str]:
    lines = [head]
    lines += [_line(view, item, deadline) for item in section.oldest]
    if section.count > len(section.oldest):
        lines.append("  " + t(view.lang, "digest.more", count=section.count - len(section.oldest)))
    return lines


def _breaches(view: DigestView, breaches: dict[str, Section]) -> list[str]:
    lines = [t(view.lang, "digest.breaches")]
    for name, section in breaches.items():
        deadline = Deadline(name)
        n = view.policy.working_days(deadline, view.today)
        lines += ["  " + line for line in _section(
            view, t(view.lang, f"digest.breach.{name}", n=n, count=section.count), section, deadline)]
    return lines


def render_digest(facts: DigestFacts, *, kind: str, view: DigestView, since: datetime) -> str:
    """The digest text: new tickets, waiting, late, unanswered, open tickets by status."""
    lang = view.lang
    new_total = sum(facts.new_by_channel.values())
    new = [t(lang, "digest.new", count=new_total, since=long_date(local_day(since, view.tz), lang))]
    if new_total:
        new.append("  " + t(lang, "digest.new.by_category", items=_items(view, (
            (category_label(lang, k, c), n) for (k, c), n in facts.new_by_category.items()))))
        new.append("  " + t(lang, "digest.new.by_channel", items=_items(view, (
            (_label(lang, f"digest.channel.{ch}", ch), n) for ch, n in facts.new_by_channel.items()))))
    blocks = [
        [t(lang, f"digest.title.{kind}", team=view.team, date=long_date(view.today, lang, weekday=True))],
        new,
        _section(view, t(lang, "digest.waiting", count=facts.waiting.count), facts.waiting),
        _breaches(view, facts.breaches),
        _section(view, t(lang, "digest.unanswered", count=facts.unanswered.count), facts.unanswered),
        [t(lang, "digest.open_status", items=_items(view, (
            (status_label(lang, s), n) for s, n in facts.open_by_status.items())))],
    ]
    return "\n\n".join("\n".join(block) for block in blocks)


def _days(lang: str, seconds: float | None) -> str:
    if seconds is None:
        return t(lang, "digest.no_data")
    value = format_decimal(round(seconds / DAY_SECONDS, 1), format="0.0",
                           locale="id_ID" if lang == "id" else "en_GB")
    return t(lang, "digest.days", value=value)


def render_indicators(ind: Indicators, *, view: DigestView, since: date, until: date) -> str:
    """The weekly ISO 37002 indicators: median times and how closed tickets were closed."""
    lang = view.lang
    shares = ", ".join(
        t(lang, "digest.share", label=status_label(lang, status),
          percent=round(100 * n / ind.closed))
        for status, n in sorted(ind.closed_by_status.items(), key=lambda p: (-p[1], p[0])))
    return "\n".join([
        t(lang, "digest.indicators", since=long_date(since, lang), until=long_date(until, lang)),
        "  " + t(lang, "digest.indicator.ack", value=_days(lang, ind.median_ack_seconds),
                 count=ind.acknowledged),
        "  " + t(lang, "digest.indicator.close", value=_days(lang, ind.median_close_seconds),
                 count=ind.closed),
        "  " + t(lang, "digest.indicator.closed_share", count=ind.closed,
                 items=shares or t(lang, "digest.none")),
    ])


def render_reminder(line: TicketLine, *, deadline: Deadline, level: str, view: DigestView) -> str:
    """One SLA reminder: the code, the deadline crossed, its date and how late it is now."""
    start = local_day(line.created_at, view.tz)
    due = view.policy.due(deadline, start, calendar=view.calendar)
    return t(view.lang, f"digest.reminder.{level}", code=line.code,
             category=category_label(view.lang, line.kind, line.category),
             deadline=t(view.lang, f"digest.deadline.{deadline.value}"),
             n=view.policy.working_days(deadline, start),
             due=long_date(due, view.lang, weekday=True),
             late=overdue_working_days(due, view.today, calendar=view.calendar))
