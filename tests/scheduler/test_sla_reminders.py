"""SLA reminders: one per ticket and deadline crossed, and one escalation when it is very late."""

from __future__ import annotations

from bot.app import App
from bot.scheduler import Scheduler
from handlers.jobs import ESCALATION, ESCALATION_PURPOSE, REMINDER_PURPOSE, TEAM
from tests.scheduler.conftest import Clock, local, seed_ticket, team_messages


async def test_a_late_ticket_gets_one_reminder_in_its_topic_and_later_one_escalation(
    app: App, clock: Clock, scheduler: Scheduler,
) -> None:
    app.settings.office.default_language = "en"
    app.settings.officers.escalation_chat_id = -100200
    late = await seed_ticket(app, "WBS-LATE-0001", local(2026, 12, 21, 10))  # due Thu 24th
    on_time = await seed_ticket(app, "WBS-OKAY-0002", local(2026, 12, 22, 10))  # due Mon 28th

    clock.set(2026, 12, 24, 16, 0)  # the last day: not late yet
    assert await scheduler.jobs.sla_round() == {}
    clock.set(2026, 12, 28, 8, 0)  # after Christmas and the weekend
    assert await scheduler.jobs.sla_round() == {"ack.due": 1}
    clock.advance(hours=6)
    assert await scheduler.jobs.sla_round() == {}  # once per deadline crossed

    reminders = await team_messages(app, REMINDER_PURPOSE)
    assert [(m.ticket_id, m.handle, m.payload["deadline"]) for m in reminders] == [
        (late.id, TEAM, "ack")]
    assert reminders[0].payload["text"].startswith(
        "⏰ WBS-LATE-0001 (Illegal levy / request for payment): the acknowledgement deadline "
        "(3 working days) has passed — it was due Thursday, 24 December 2026.")

    clock.set(2026, 12, 30, 8, 0)  # 3 working days late: over the 2-day margin
    assert await scheduler.jobs.sla_round() == {"ack.due": 1, "ack.escalated": 1}
    escalations = await team_messages(app, ESCALATION_PURPOSE)
    assert [(m.ticket_id, m.handle) for m in escalations] == [(late.id, ESCALATION)]
    assert "3 working days past" in escalations[0].payload["text"]
    assert on_time.id in {m.ticket_id for m in await team_messages(app, REMINDER_PURPOSE)}


async def test_acknowledged_and_closed_tickets_are_not_reminded(
    app: App, clock: Clock, scheduler: Scheduler,
) -> None:
    await seed_ticket(app, "WBS-ACKD-0001", local(2026, 12, 1, 10),
                      acknowledged_at=local(2026, 12, 2, 10),
                      last_officer_message_at=local(2026, 12, 2, 11))
    await seed_ticket(app, "WBS-DONE-0002", local(2026, 12, 1, 10), status="selesai",
                      closed_at=local(2026, 12, 3, 10))
    await seed_ticket(app, "WBS-GIFT-0003", local(2026, 12, 1, 10), kind="gift",
                      category="penerimaan", status="diteruskan_kpk",
                      acknowledged_at=local(2026, 12, 2, 10),
                      last_officer_message_at=local(2026, 12, 2, 11))
    clock.set(2026, 12, 28, 8, 0)
    assert await scheduler.jobs.sla_round() == {}
