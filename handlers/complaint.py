"""The citizen complaint (pengaduan) flow: 5W2H questions, a summary, then a receipt.

Categories follow what Kantor Imigrasi's WBS receives: pungli (pungutan liar, illegal
levies), suap (bribery), pemerasan (extortion), gratifikasi, calo (brokers), and so on."""

from __future__ import annotations

from handlers.engine.context import Turn
from handlers.engine.flow import Flow, Outcome
from handlers.engine.steps import Attachments, Choice, Date, Money, Text
from handlers.filing import file_report
from handlers.limits import report_gate

CATEGORIES = ("pungli", "suap", "pemerasan", "gratifikasi", "calo", "wewenang", "benturan",
              "kode_etik", "pelayanan", "lainnya")
YES_NO = ("ya", "tidak")


async def submit_complaint(turn: Turn) -> Outcome:
    """File the complaint; officers are told only that a ticket exists."""
    draft = dict(turn.draft)
    receipt = await file_report(turn, kind="complaint", category=draft["category"], content=draft,
                                conflict_of_interest=draft.get("concerns_team") == "ya")
    return Outcome([receipt])


COMPLAINT = Flow(
    "complaint",
    steps=[
        Choice("category", ask="complaint.ask.category", choices=CATEGORIES,
               labels="complaint.category"),
        Text("chronology", ask="complaint.ask.what", min_len=20, max_len=4000),
        Text("reported_person", ask="complaint.ask.who", min_len=2, max_len=500),
        Choice("concerns_team", ask="complaint.ask.concerns_team", choices=YES_NO,
               labels="common.yesno"),
        Date("happened_on", ask="complaint.ask.when"),
        Text("location", ask="complaint.ask.where", min_len=2, max_len=500),
        Money("amount", ask="complaint.ask.amount", optional=True),
        Attachments("evidence", ask="complaint.ask.evidence"),
        Choice("reported_elsewhere", ask="complaint.ask.elsewhere", choices=YES_NO,
               labels="common.yesno"),
        Text("reported_where", ask="complaint.ask.elsewhere_where", max_len=500,
             when=lambda d: d.get("reported_elsewhere") == "ya"),
    ],
    on_submit=submit_complaint,
    summary=True,
    confirm_notice="complaint.notice.privacy",
    intro="complaint.intro",
    menu=("menu.complaint", 10),
    gate=report_gate,
)
