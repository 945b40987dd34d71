"""What officers read: the content-free topic header, the ticket on request (`/lihat`), and
ticket lists. Text only from the catalogs; the reporter is always "Pelapor"."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from handlers import i18n
from handlers.engine.steps import Choice
from handlers.registry import all_flows
from handlers.reporter_notices import desk_name
from handlers.settings import DomainSettings
from handlers.statuses import status_key
from handlers.workdays import WorkCalendar, working_days_after
from storage.models import Ticket
from storage.tickets import StoredFile, ThreadEntry

MAX_FIELD = 1500  # one very long field must not push the rest out of the message
REPORTER_MARK = "│ "  # opens every line a reporter wrote, wherever officers read it
WORD_JOINER = "\u2060"  # invisible; after "/" or "@" it keeps Telegram from seeing a command
ACTIVE_START = re.compile(r"(?<!\S)([/@])")  # "/" or "@" opening a word


def quote_reporter(text: str) -> str:
    """Reporter-written text as officers read it: every line behind "│ ", so a line break
    cannot fake an officer's entry or an internal note, and "/" or "@" opening a word held off
    by an invisible word joiner, so Telegram shows no command to tap and mentions nobody."""
    neutral = ACTIVE_START.sub(lambda found: found.group(1) + WORD_JOINER, text)
    return "\n".join(REPORTER_MARK + line for line in neutral.splitlines() or [""])


def label(lang: str, keys: list[str], fallback: str) -> str:
    """The first of `keys` the catalog knows, else `fallback`."""
    for key in keys:
        try:
            return i18n.t(lang, key)
        except i18n.MissingTranslationError:
            continue
    return fallback


def category_label(lang: str, ticket: Ticket) -> str:
    """The ticket's category in words (complaint category or gift report type)."""
    return label(lang, [f"{ticket.kind}.category.{ticket.category}",
                        f"{ticket.kind}.report_type.{ticket.category}"], ticket.category)


def topic_name(lang: str, ticket: Ticket) -> str:
    """"WBS-7K3M-Q9XD · Pungli" (Telegram allows 128 characters)."""
    return f"{ticket.code} · {category_label(lang, ticket)}"[:128]


def sla_due(ticket: Ticket, settings: DomainSettings, calendar: WorkCalendar) -> date:
    """The acknowledgement deadline: WBS_ACK_SLA_DAYS working days after receipt."""
    received = ticket.created_at.astimezone(settings.office.tz).date()
    return working_days_after(received, settings.officers.ack_sla_days, calendar=calendar)


def _when(moment: datetime, settings: DomainSettings, lang: str) -> str:
    local = moment.astimezone(settings.office.tz)
    return f"{i18n.long_date(local.date(), lang)} {local:%H:%M}"


def header(lang: str, ticket: Ticket, settings: DomainSettings, due: date) -> str:
    """The first post of a ticket's topic: code, category, channel kind, times. No content."""
    key = "officer.header.conflict" if ticket.conflict_of_interest else "officer.header"
    return i18n.t(lang, key, code=ticket.code, category=category_label(lang, ticket),
                  channel=label(lang, [f"officer.channel.{ticket.channel}"], ticket.channel),
                  received=_when(ticket.created_at, settings, lang),
                  due=i18n.long_date(due, lang, weekday=True),
                  status=i18n.t(lang, status_key(ticket.status)),
                  team=desk_name(settings, escalated=ticket.conflict_of_interest))


def _choice_labels(kind: str) -> dict[str, str]:
    """Field -> msgid prefix of its option labels, for the choice steps of the `kind` flow."""
    flow = next((f for f in all_flows() if f.name == kind), None)
    return {step.id: step.labels for step in flow.steps if isinstance(step, Choice)} if flow else {}


def _value(lang: str, value: Any, labels: str | None = None) -> str:
    """A field after its name: inline, or the reporter's own words quoted below it."""
    if isinstance(value, list):
        return f" {len(value)}"
    if labels is not None and isinstance(value, str):  # a stored choice: its words
        return " " + label(lang, [f"{labels}.{value}"], value)
    text = str(value)
    text = text if len(text) <= MAX_FIELD else text[:MAX_FIELD] + "…"
    return "\n" + quote_reporter(text) if isinstance(value, str) else f" {text}"


def ticket_view(lang: str, ticket: Ticket, content: dict[str, Any], *, entries: list[ThreadEntry],
                files: list[StoredFile], notes: list[tuple[datetime, str]],
                settings: DomainSettings) -> str:
    """The report, its thread (officers' names never appear) and the internal notes."""
    lines = [i18n.t(lang, "officer.view.title", code=ticket.code,
                    category=category_label(lang, ticket),
                    status=i18n.t(lang, status_key(ticket.status)))]
    choices = _choice_labels(ticket.kind)
    for field, value in content.items():
        if value in (None, "", []):
            continue
        name = label(lang, [f"{ticket.kind}.field.{field}"], field)
        lines.append(f"• {name}:{_value(lang, value, choices.get(field))}")
    if files:
        lines.append(i18n.t(lang, "officer.view.files", count=len(files)))
    for entry in entries:
        who = label(lang, [f"officer.author.{entry.author}"], entry.author)
        text = quote_reporter(entry.text) if entry.author == "reporter" else entry.text
        lines.append(f"— {who} ({_when(entry.created_at, settings, lang)}):\n{text}")
    for moment, text in notes:
        lines.append(f"📝 {i18n.t(lang, 'officer.author.note')} ({_when(moment, settings, lang)}):"
                     f"\n{text}")
    return "\n\n".join(lines)


def ticket_line(lang: str, ticket: Ticket, now: datetime) -> str:
    """One line of a ticket list: code, category, status and age in days."""
    age = max(0, (now - ticket.created_at).days)
    return i18n.t(lang, "officer.list.line", code=ticket.code,
                  category=category_label(lang, ticket),
                  status=i18n.t(lang, status_key(ticket.status)), days=age)
