"""The gift reporter's own reminder: asked for in the gift flow, sent by the scheduler on the
5th and the last working day before the 30-working-day deadline while the report is a draft.

Gift received Tuesday 1 September 2026: the deadline is Tuesday 13 October 2026, so the
reminders are due at 09:00 Jakarta on Tuesday 6 October (5 working days before) and Monday
12 October (1 working day before).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.scheduler import Scheduler
from handlers.engine.types import ChannelKind, Inbound
from handlers.gift_clock import load_calendar, report_deadline
from handlers.gift_reminders import PURPOSE
from storage import outbox
from storage.models import GiftReminder
from storage.outbox import PendingMessage
from tests.handlers.test_gift_flow import IDENTITY, answer_check, fill_report
from tests.scheduler.conftest import Clock
from tests.support.reporter import Reporter

RECEIVED = "01/09/2026"
CHAT_ID = "555000111"


async def reminders_to(app: App, channel: str) -> list[PendingMessage]:
    """Reporter reminders queued for `channel`, decrypted."""
    far = datetime(2100, 1, 1, tzinfo=UTC)
    rows = await app.db.read(lambda s: outbox.due_messages(
        session=s, ring=app.services.ring, now=far, channels=[channel], limit=1000))
    return [m for m in rows if m.purpose == PURPOSE]


async def reminder_rows(app: App) -> int:
    """How many reminder rows are stored."""
    return await app.db.read(lambda s: s.scalar(select(func.count()).select_from(GiftReminder)))


async def start_gift_draft(r: Reporter, clock: Clock, *, reminder: str) -> None:
    """The day after the gift: the check, then the report with the reminder answered and the
    name typed; the report is left as a draft."""
    clock.set(2026, 9, 2, 10, 0)
    await answer_check(r, when=RECEIVED)
    await r.choose("penerimaan")
    assert ("Remind me before the reporting deadline" if r.language == "en"
            else "Ingatkan saya sebelum tenggat pelaporan") in r.text
    await r.choose(reminder)
    await r.say(IDENTITY["name"])
    await r.say(IDENTITY["nik"])


async def run_at(scheduler: Scheduler, clock: Clock, *parts: int) -> int:
    """Run the housekeeping and the reminder job at a Jakarta wall-clock time."""
    clock.set(*parts)
    await scheduler.jobs.retention_round()
    return await scheduler.jobs.gift_reminders()


async def test_deadline_in_this_scenario_is_tuesday_13_october(app: App):
    calendar = await app.db.read(lambda s: load_calendar(session=s, settings=app.services.settings))
    assert report_deadline(date(2026, 9, 1), calendar=calendar).due == date(2026, 10, 13)


async def test_reporter_who_agreed_gets_one_reminder_on_each_due_working_day(
    app: App, clock: Clock, scheduler: Scheduler
):
    r = Reporter(app.engine, channel=ChannelKind.TELEGRAM, handle=CHAT_ID)
    await start_gift_draft(r, clock, reminder="ya")
    assert await run_at(scheduler, clock, 2026, 10, 5, 9, 30) == 0
    assert await run_at(scheduler, clock, 2026, 10, 6, 8, 59) == 0
    assert await run_at(scheduler, clock, 2026, 10, 6, 9, 0) == 1
    assert await run_at(scheduler, clock, 2026, 10, 6, 9, 30) == 0
    assert await run_at(scheduler, clock, 2026, 10, 9, 9, 0) == 0
    first = await reminders_to(app, "telegram")
    assert len(first) == 1
    assert first[0].handle == CHAT_ID
    assert "laporan gratifikasi Anda belum terkirim" in first[0].payload["text"]
    assert "Selasa, 13 Oktober 2026" in first[0].payload["text"]
    assert first[0].payload["options"] == [["nav:resume", "Lanjutkan laporan"]]
    assert await run_at(scheduler, clock, 2026, 10, 12, 9, 0) == 1
    assert await run_at(scheduler, clock, 2026, 10, 13, 9, 0) == 0
    assert len(await reminders_to(app, "telegram")) == 2
    # the draft waited for them: pressing the reminder's button continues the report
    await r.send(Inbound(r.channel, r.handle, option="nav:resume"))
    assert "kedaluwarsa" not in r.text
    assert "NIP" in r.text


async def test_reminder_carries_nothing_from_the_report(
    app: App, clock: Clock, scheduler: Scheduler
):
    r = Reporter(app.engine, channel=ChannelKind.TELEGRAM, handle=CHAT_ID)
    await start_gift_draft(r, clock, reminder="ya")
    await run_at(scheduler, clock, 2026, 10, 6, 9, 0)
    (message,) = await reminders_to(app, "telegram")
    everything = repr(message.payload)
    for secret in (IDENTITY["name"], IDENTITY["nik"], "750.000", "750000", "1 September",
                   "barang", "Pihak berkepentingan"):
        assert secret not in everything
    digest = r.digest
    stored = await app.db.read(lambda s: s.get(GiftReminder, digest))
    assert CHAT_ID.encode() not in stored.route  # the routing handle is sealed


async def test_whatsapp_reporter_is_reminded_in_their_language(
    app: App, clock: Clock, scheduler: Scheduler
):
    r = Reporter(app.engine, channel=ChannelKind.WHATSAPP, handle="6281299990000",
                 language="en")
    await start_gift_draft(r, clock, reminder="ya")
    await run_at(scheduler, clock, 2026, 10, 12, 9, 0)
    (message,) = await reminders_to(app, "whatsapp")  # both due: one message, not two
    assert message.handle == "6281299990000"
    assert message.payload["lang"] == "en"
    assert "your gratification report has not been sent" in message.payload["text"]
    assert "Tuesday, 13 October 2026" in message.payload["text"]
    assert await run_at(scheduler, clock, 2026, 10, 13, 9, 0) == 0


async def test_reporter_who_declined_gets_no_reminder(
    app: App, clock: Clock, scheduler: Scheduler
):
    r = Reporter(app.engine, channel=ChannelKind.TELEGRAM, handle=CHAT_ID)
    await start_gift_draft(r, clock, reminder="tidak")
    assert await reminder_rows(app) == 0
    for day in (6, 12, 13):
        assert await run_at(scheduler, clock, 2026, 10, day, 9, 0) == 0
    assert await reminders_to(app, "telegram") == []


async def test_submitted_report_gets_no_reminder(app: App, clock: Clock, scheduler: Scheduler):
    r = Reporter(app.engine, channel=ChannelKind.TELEGRAM, handle=CHAT_ID)
    clock.set(2026, 9, 2, 10, 0)
    await answer_check(r, when=RECEIVED)
    await fill_report(r, reminder="ya")
    assert "Pengingat tenggat" in r.text  # the answer is in the summary
    assert await reminder_rows(app) == 1
    await r.choose("confirm:submit")
    assert "WBS-" in r.text
    assert await reminder_rows(app) == 0
    for day in (6, 12):
        assert await run_at(scheduler, clock, 2026, 10, day, 9, 0) == 0
    assert await reminders_to(app, "telegram") == []


@pytest.mark.parametrize("leave", ["/batal", "new report without reminder"])
async def test_cancelled_or_replaced_draft_gets_no_reminder(
    app: App, clock: Clock, scheduler: Scheduler, leave: str
):
    r = Reporter(app.engine, channel=ChannelKind.TELEGRAM, handle=CHAT_ID)
    await start_gift_draft(r, clock, reminder="ya")
    await r.say("/batal")
    assert "menu:gift_check" in r.options
    if leave != "/batal":  # the next gift report starts clean, even in the same chat
        await start_gift_draft(r, clock, reminder="tidak")
    for day in (6, 12):
        assert await run_at(scheduler, clock, 2026, 10, day, 9, 0) == 0
    assert await reminders_to(app, "telegram") == []
    assert await reminder_rows(app) == 0  # the stale row is gone too


async def test_changing_the_receipt_date_moves_the_reminder(
    app: App, clock: Clock, scheduler: Scheduler
):
    r = Reporter(app.engine, channel=ChannelKind.TELEGRAM, handle=CHAT_ID)
    clock.set(2026, 9, 2, 10, 0)
    await answer_check(r, when=RECEIVED)
    await fill_report(r, reminder="ya")
    await r.choose("confirm:edit")
    await r.choose("edit:received_on")
    await r.say("02/09/2026")  # deadline now Wednesday 14 October; reminders 7 and 13 October
    assert "Pengingat tenggat" in r.text
    assert await run_at(scheduler, clock, 2026, 10, 6, 9, 0) == 0
    assert await run_at(scheduler, clock, 2026, 10, 7, 9, 0) == 1
    (message,) = await reminders_to(app, "telegram")
    assert "Rabu, 14 Oktober 2026" in message.payload["text"]


async def test_terminal_reporter_is_not_reminded(app: App, clock: Clock, scheduler: Scheduler):
    r = Reporter(app.engine)  # console: the bot cannot write first
    await start_gift_draft(r, clock, reminder="ya")
    assert await run_at(scheduler, clock, 2026, 10, 12, 9, 0) == 0
    assert await reminders_to(app, "console") == []


async def test_gift_draft_outlives_a_day_but_a_complaint_draft_expires_after_24_hours(
    app: App, clock: Clock, scheduler: Scheduler
):
    gift = Reporter(app.engine, channel=ChannelKind.TELEGRAM, handle=CHAT_ID)
    await start_gift_draft(gift, clock, reminder="tidak")
    complaint = Reporter(app.engine, channel=ChannelKind.TELEGRAM, handle="555000222")
    await complaint.say("/start")
    await complaint.choose("menu:complaint")
    await complaint.choose("pungli")
    clock.advance(hours=25)
    await complaint.say("Petugas loket meminta uang tambahan agar paspor cepat selesai.")
    assert "kedaluwarsa" in complaint.text
    await scheduler.jobs.retention_round()
    await gift.choose("nav:skip")  # NIP is optional
    assert "kedaluwarsa" not in gift.text
    assert "jabatan" in gift.text.lower()
    # ... until the day after the deadline (Tuesday 13 October), then it is gone
    await run_at(scheduler, clock, 2026, 10, 14, 23, 0)
    await gift.say("Analis Keimigrasian")
    assert "kedaluwarsa" not in gift.text
    await run_at(scheduler, clock, 2026, 10, 16, 0, 1)
    await gift.say("Penata, III/c")
    assert "menu:gift_check" in gift.options
