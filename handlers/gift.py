"""The employee's gift self-report (laporan gratifikasi), in two flows.

`gift_check` ("Lapor gratifikasi", /gratifikasi) asks the few questions of "Apakah wajib
lapor?" and explains the verdict with the dated rule and the reporting deadline. It then hands
its answers to `gift`, the report itself with the fields of KPK's form: receipt or refusal,
identity (confidential, not anonymous: the UPG sees it; it is encrypted like all content), the
giver, the gift, date and place, chronology, documents and compensation. Both run on every
channel; the report gets a Kode Laporan and the same anonymous-to-officers thread as complaints,
except that the UPG reads the identity the law requires.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from handlers.engine.context import Turn
from handlers.engine.flow import Condition, Flow, Outcome
from handlers.engine.steps import Attachments, Choice, Money, Text
from handlers.engine.types import Outbound
from handlers.filing import file_report
from handlers.gift_check import Conflict, GiftFacts, Occasion, Relationship, evaluate, explain
from handlers.gift_clock import describe_report_deadline, load_calendar, report_deadline
from handlers.gift_reminder import (
    LONGEST_DRAFT_HOURS,
    STEP,
    ReceiptDate,
    ReminderConsent,
    forget,
    keep_until,
)
from handlers.gift_steps import Identifier, ReportType
from handlers.gift_validators import parse_email, parse_nik, parse_nip, parse_phone
from handlers.limits import report_gate

OBJECT_TYPES = ("uang", "barang", "makanan", "cenderamata", "fasilitas", "rabat", "komisi",
                "pinjaman", "lainnya")
CASH_OBJECTS = frozenset({"uang", "komisi"})  # "uang atau alat tukar lainnya"
LOCATIONS = ("pelapor", "upg", "kpk", "lainnya")
REPORT_TYPES = ("penerimaan", "penolakan")
YES_NO = ("ya", "tidak")
RELATIONSHIPS = tuple(r.value for r in Relationship)
OCCASIONS = tuple(o.value for o in Occasion)
CONFLICTS = tuple(c.value for c in Conflict)


def _is_colleague_gift(d: dict[str, Any]) -> bool:
    return (d.get("relationship") == Relationship.COLLEAGUE
            and d.get("occasion") != Occasion.CEREMONY
            and d.get("object_type") not in CASH_OBJECTS)


CHECK_STEPS = (
    Choice("relationship", ask="gift.ask.relationship", choices=RELATIONSHIPS,
           labels="gift.relationship"),
    Choice("occasion", ask="gift.ask.occasion", choices=OCCASIONS, labels="gift.occasion"),
    Choice("object_type", ask="gift.ask.object_type", choices=OBJECT_TYPES,
           labels="gift.object_type"),
    Money("value", ask="gift.ask.value", optional=True),
    Money("year_total", ask="gift.ask.year_total", when=_is_colleague_gift),
    ReceiptDate("received_on", ask="gift.ask.received_on"),
    Choice("conflict", ask="gift.ask.conflict", choices=CONFLICTS, labels="gift.conflict",
           when=lambda d: d.get("relationship") != Relationship.INTERESTED),
)
CARRIED = tuple(step.id for step in CHECK_STEPS)


def _answered(key: str) -> Condition:
    return lambda d: key in d


def facts_from(answers: dict[str, Any]) -> GiftFacts:
    """The check's view of a draft (either flow's)."""
    return GiftFacts(
        relationship=Relationship(answers["relationship"]),
        occasion=Occasion(answers["occasion"]),
        received_on=date.fromisoformat(answers["received_on"]),
        conflict=Conflict(answers.get("conflict") or Conflict.NO),
        cash=answers.get("object_type") in CASH_OBJECTS,
        value=answers.get("value"),
        year_total=answers.get("year_total"),
    )


async def deadline_text(turn: Turn, received_on: date) -> str:
    """The 30-working-day deadline for this receipt, with warnings, in the user's language."""
    calendar = await turn.read(lambda s: load_calendar(session=s, settings=turn.settings))
    deadline = report_deadline(received_on, calendar=calendar)
    return describe_report_deadline(deadline, turn.today, turn.lang, calendar=calendar)


async def submit_check(turn: Turn) -> Outcome:
    """Explain the verdict and the deadline, then open the report with the answers carried."""
    answers = dict(turn.draft)
    facts = facts_from(answers)
    verdict = evaluate(facts)
    messages = [Outbound(explain(verdict, turn.lang)),
                Outbound(await deadline_text(turn, facts.received_on))]
    forget(turn)  # a new report: no reminder from an earlier, abandoned draft
    return Outcome(messages, next_flow="gift", context={"check": answers})


async def submit_gift(turn: Turn) -> Outcome:
    """File the report (identity sealed with the ticket) and repeat the deadline."""
    content = dict(turn.draft)
    content.pop(STEP, None)  # about the draft, not the report
    forget(turn)
    facts = facts_from(content)
    verdict = evaluate(facts)
    content["check_outcome"] = verdict.outcome.value
    content["check_rule"] = verdict.rules.regulation
    receipt = await file_report(turn, kind="gift", category=content["report_type"],
                                content=content)
    reminder = Outbound(turn.t("gift.submitted") + "\n\n"
                        + await deadline_text(turn, facts.received_on))
    return Outcome([receipt, reminder])


GIFT_CHECK = Flow(
    "gift_check",
    steps=CHECK_STEPS,
    on_submit=submit_check,
    intro="gift.check.intro",
    menu=("gift.menu", 15),
    draft_ttl_hours=LONGEST_DRAFT_HOURS,
    draft_until=keep_until,
)

GIFT = Flow(
    "gift",
    steps=[
        *(replace(step, when=_answered(step.id)) for step in CHECK_STEPS),
        ReportType("report_type", ask="gift.ask.report_type", choices=REPORT_TYPES,
                   labels="gift.report_type", carried=CARRIED),
        ReminderConsent(STEP, ask="gift.reminder.ask", choices=YES_NO,
                        labels="common.yesno"),
        Text("name", ask="gift.ask.name", min_len=3, max_len=200, leak_check=False),
        Identifier("nik", ask="gift.ask.nik", parser=parse_nik, error="gift.error.nik"),
        Identifier("nip", ask="gift.ask.nip", parser=parse_nip, error="gift.error.nip",
                   optional=True),
        Text("position", ask="gift.ask.position", min_len=2, max_len=200, leak_check=False),
        Text("rank", ask="gift.ask.rank", max_len=100, optional=True, leak_check=False),
        Text("unit", ask="gift.ask.unit", min_len=2, max_len=200, leak_check=False),
        Identifier("email", ask="gift.ask.email", parser=parse_email, error="gift.error.email"),
        Identifier("phone", ask="gift.ask.phone", parser=parse_phone, error="gift.error.phone"),
        Text("giver_name", ask="gift.ask.giver_name", min_len=2, max_len=200, optional=True),
        Text("giver_occupation", ask="gift.ask.giver_occupation", max_len=200, optional=True),
        Text("giver_address", ask="gift.ask.giver_address", max_len=500, optional=True),
        Text("reason", ask="gift.ask.reason", min_len=3, max_len=1000),
        Text("event", ask="gift.ask.event", min_len=3, max_len=500),
        Text("description", ask="gift.ask.description", min_len=3, max_len=2000),
        Choice("location", ask="gift.ask.location", choices=LOCATIONS, labels="gift.location"),
        Text("place", ask="gift.ask.place", min_len=2, max_len=500),
        Text("chronology", ask="gift.ask.chronology", min_len=20, max_len=4000),
        Attachments("documents", ask="gift.ask.documents"),
        Choice("compensation", ask="gift.ask.compensation", choices=YES_NO,
               labels="common.yesno"),
    ],
    on_submit=submit_gift,
    summary=True,
    confirm_notice="gift.notice.confidential",
    intro="gift.intro",
    requires_context=("check",),
    draft_ttl_hours=LONGEST_DRAFT_HOURS,
    draft_until=keep_until,
    gate=report_gate,
)

FLOWS = (GIFT_CHECK, GIFT)
