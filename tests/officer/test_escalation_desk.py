"""A conflict-of-interest report is handled by the escalation desk, and every message its
reporter gets names that desk, never the team the report is about."""

from __future__ import annotations

from bot.app import App
from bot.channels.telegram.officers.receive import TelegramOfficers
from handlers.jobs import Jobs
from tests.fakes.bot_api import FakeBotApi
from tests.fakes.bot_api_chat import UserChat
from tests.officer.conftest import (
    ESCALATION,
    REPORTER,
    bot_says,
    file_complaint,
    officer_says,
    texts_in,
    topic_of,
)

DESK = "Inspektorat Jenderal"  # WBS_ESCALATION_DESK_NAME's default
TEAM = "UPG"  # the team's name in these tests (tests/officer/conftest.py)


async def test_conflict_of_interest_reporter_hears_only_from_the_escalation_desk(
        app: App, api: FakeBotApi, team: TelegramOfficers):
    chat = UserChat(api, REPORTER)
    code, secret = await file_complaint(chat, concerns_team=True)
    receipt = next(t for t in texts_in(api, REPORTER) if code in t)
    assert DESK in receipt
    assert TEAM not in receipt
    thread = await topic_of(api, code, ESCALATION)

    officer_says(api, "/lihat", thread=thread, chat_id=ESCALATION)
    ack = await bot_says(api, REPORTER, "telah dibuka oleh")
    officer_says(api, "Mohon jelaskan jam kejadiannya.", thread=thread, chat_id=ESCALATION)
    reply = await bot_says(api, REPORTER, "Mohon jelaskan jam kejadiannya.")
    confirmed = await bot_says(api, ESCALATION, "Balasan dikirim", thread)
    officer_says(api, "/status lengkapi", thread=thread, chat_id=ESCALATION)
    notice = await bot_says(api, REPORTER, "memerlukan informasi tambahan")

    for text in (ack, reply, notice, confirmed):
        assert f"Petugas {DESK}" in text
    about = [t for t in texts_in(api, REPORTER) if code in t]  # every message about the report
    assert len(about) >= 4
    assert all(TEAM not in text for text in about), [t for t in about if TEAM in t]

    await chat.type("/cek")  # the status check shows the thread signed by the same desk
    await chat.sees("status.ask.code")
    await chat.type(code)
    await chat.sees("status.ask.secret")
    await chat.type(secret)
    status = await chat.sees("Mohon jelaskan jam kejadiannya.")
    assert f"Petugas {DESK}" in status
    assert TEAM not in status


async def test_the_escalation_digest_is_titled_with_the_escalation_desk(app: App):
    now = app.services.clock()
    digest = await Jobs(app.services).build_digest("daily", window_end=now, period_key="daily:test")

    escalation_title = digest.texts["escalation"].splitlines()[0]
    team_title = digest.texts["team"].splitlines()[0]
    assert DESK in escalation_title
    assert TEAM not in escalation_title
    assert TEAM in team_title
