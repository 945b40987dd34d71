"""The officers' daily and weekly digest: what it counts, what it lists, what it never says."""

from __future__ import annotations

from bot.app import App
from bot.scheduler import Scheduler
from handlers.i18n import t
from handlers.jobs import DIGEST_PURPOSE, REMINDER_PURPOSE
from tests.scheduler.conftest import (
    REPORTER_HANDLE,
    SECRET_STORY,
    Clock,
    local,
    seed_ticket,
    team_messages,
)


def block(text: str, heading: str) -> list[str]:
    """The heading line that starts with `heading` and the indented lines under it."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(heading))
    found = [lines[start]]
    deeper = " " * (len(lines[start]) - len(lines[start].lstrip()) + 2)
    for line in lines[start + 1:]:
        if not line.startswith(deeper):
            break
        found.append(line)
    return found


async def seed_christmas_week(app: App) -> None:
    """Tickets around Christmas 2026 (Friday 25 December is a public holiday)."""
    await seed_ticket(app, "WBS-AAAA-0001", local(2026, 12, 21, 10))  # Monday, not acknowledged
    await seed_ticket(app, "WBS-BBBB-0002", local(2026, 12, 22, 10), category="suap",
                      channel="whatsapp")
    await seed_ticket(app, "WBS-CCCC-0003", local(2026, 12, 1, 9), kind="gift",
                      category="penerimaan", status="diverifikasi",
                      acknowledged_at=local(2026, 12, 2, 9))
    await seed_ticket(app, "WBS-DDDD-0004", local(2026, 12, 1, 9), kind="gift",
                      category="penerimaan", status="diteruskan_kpk",
                      acknowledged_at=local(2026, 12, 2, 9))
    await seed_ticket(app, "WBS-EEEE-0005", local(2026, 12, 10, 9), status="selesai",
                      acknowledged_at=local(2026, 12, 10, 10), closed_at=local(2026, 12, 20, 9))
    await seed_ticket(app, "WBS-FFFF-0006", local(2026, 12, 24, 9), category="calo",
                      channel="whatsapp", acknowledged_at=local(2026, 12, 24, 10),
                      last_officer_message_at=local(2026, 12, 24, 11),
                      last_reporter_message_at=local(2026, 12, 26, 8))
    await seed_ticket(app, "WBS-GGGG-0007", local(2026, 12, 26, 8))  # Saturday


async def test_daily_digest_counts_and_lists_tickets_with_sla_counted_across_christmas(
    app: App, clock: Clock, scheduler: Scheduler,
) -> None:
    app.settings.office.default_language = "en"
    clock.set(2026, 12, 24, 7, 30)
    assert "daily" in await scheduler.tick()  # Thursday's digest
    await seed_christmas_week(app)
    clock.set(2026, 12, 25, 7, 30)
    assert await scheduler.tick() == []  # Christmas Day: no digest on a holiday
    clock.set(2026, 12, 28, 7, 30)
    assert await scheduler.tick() == ["daily"]

    digests = [m for m in await team_messages(app, DIGEST_PURPOSE) if m.payload["kind"] == "daily"]
    assert len(digests) == 2
    text = digests[-1].payload["text"]
    assert text.startswith("📋 Daily digest for UPG — Monday, 28 December 2026")
    assert block(text, "New reports since 24 December 2026: 2") == [
        "New reports since 24 December 2026: 2",
        f"  By category: {t('en', 'complaint.category.calo')} 1, "
        f"{t('en', 'complaint.category.pungli')} 1",
        "  By channel: Telegram 1, WhatsApp 1",
    ]
    assert block(text, "Waiting for a first response") == [
        "Waiting for a first response: 3",
        f"  WBS-AAAA-0001 · {t('en', 'complaint.category.pungli')} · 7 day(s) (4 working day(s))",
        f"  WBS-BBBB-0002 · {t('en', 'complaint.category.suap')} · 6 day(s) (3 working day(s))",
        f"  WBS-GGGG-0007 · {t('en', 'complaint.category.pungli')} · 2 day(s) (1 working day(s))",
    ]
    # Monday's ticket was due Thursday 24th; Tuesday's is due today because of Christmas.
    assert block(text, "  Acknowledgement (3 working days)") == [
        "  Acknowledgement (3 working days): 1",
        f"    WBS-AAAA-0001 · {t('en', 'complaint.category.pungli')} · 7 day(s) (4 working day(s))"
        " · 1 working day(s) late",
    ]
    assert block(text, "  Gift report forwarded to KPK (10 working days)")[0].endswith(": 1")
    assert "WBS-CCCC-0003" in block(text, "  Gift report forwarded to KPK")[1]
    assert block(text, "  Feedback to the reporter (60 working days)") == [
        "  Feedback to the reporter (60 working days): 0"]
    assert block(text, "Reporter messages not yet answered")[0].endswith(": 1")
    assert "WBS-FFFF-0006" in block(text, "Reporter messages not yet answered")[1]
    assert "WBS-EEEE-0005" not in text  # closed
    assert "WBS-DDDD-0004" not in text  # forwarded to KPK in time
    assert text.splitlines()[-3].startswith("Open tickets by status: Received 4, ")


async def test_digest_and_reminders_never_carry_report_content(
    app: App, clock: Clock, scheduler: Scheduler,
) -> None:
    await seed_christmas_week(app)
    clock.set(2026, 12, 28, 7, 30)
    await scheduler.tick()
    await scheduler.jobs.sla_round()
    clock.set(2026, 12, 28, 7, 45)  # Monday: the weekly summary too
    assert await scheduler.tick() == ["weekly"]
    messages = await team_messages(app)
    assert {m.purpose for m in messages} >= {DIGEST_PURPOSE, REMINDER_PURPOSE}
    for message in messages:
        dumped = repr(message.payload)
        for secret in (SECRET_STORY, "Budi", "amplop", "5.000.000", REPORTER_HANDLE, "987654321"):
            assert secret not in dumped


async def test_weekly_summary_adds_iso_37002_indicators(
    app: App, clock: Clock, scheduler: Scheduler,
) -> None:
    app.settings.office.default_language = "en"
    await seed_ticket(app, "WBS-HHHH-0008", local(2026, 12, 14, 9), status="selesai",
                      acknowledged_at=local(2026, 12, 15, 9), closed_at=local(2026, 12, 22, 9))
    await seed_ticket(app, "WBS-IIII-0009", local(2026, 12, 16, 9),
                      status="tidak_dapat_ditindaklanjuti",
                      acknowledged_at=local(2026, 12, 22, 9), closed_at=local(2026, 12, 23, 9))
    await seed_ticket(app, "WBS-JJJJ-0010", local(2026, 12, 15, 9), status="selesai",
                      acknowledged_at=local(2026, 12, 23, 9), closed_at=local(2026, 12, 24, 9))
    clock.set(2026, 12, 28, 7, 45)
    assert "weekly" in await scheduler.tick()
    text = (await team_messages(app, DIGEST_PURPOSE))[-1].payload["text"]
    assert text.startswith("📊 Weekly summary")
    lines = block(text, "ISO 37002 indicators")
    assert lines[0] == "ISO 37002 indicators (21 December 2026 to 28 December 2026):"
    # acknowledged in the week: 6 and 8 days after the report (the 15th is outside the week)
    assert lines[1] == "  Median time to acknowledge: 7.0 days (2 reports)"
    # closed after 8, 7 and 9 days
    assert lines[2] == "  Median time to close: 8.0 days (3 reports)"
    assert lines[3] == (f"  Closed: 3 — {t('en', 'ticket.status.selesai')} 67%, "
                        f"{t('en', 'ticket.status.tidak_dapat_ditindaklanjuti')} 33%")


async def test_digest_is_in_indonesian_by_default(
    app: App, clock: Clock, scheduler: Scheduler,
) -> None:
    await seed_ticket(app, "WBS-AAAA-0001", local(2026, 12, 21, 10))
    clock.set(2026, 12, 28, 7, 30)
    await scheduler.tick()
    text = (await team_messages(app, DIGEST_PURPOSE))[0].payload["text"]
    assert text.startswith("📋 Ringkasan harian UPG — Senin, 28 Desember 2026")
    assert "Tanda terima (3 HK): 1" in text
    assert "WBS-AAAA-0001 · " in text
    assert "terlambat 1 HK" in text
