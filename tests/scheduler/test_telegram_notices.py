"""Digests and SLA reminders reach the officers' Telegram chats (fake Bot API on loopback):
the digest in the group, a reminder in the ticket's topic, conflict-of-interest tickets only
in the escalation chat."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.app import App
from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.officers.notices import TelegramNotices
from bot.channels.telegram.officers.receive import TelegramOfficers
from handlers.jobs import Jobs
from tests.fakes.bot_api import FakeBotApi
from tests.fakes.bot_api_chat import UserChat, serving
from tests.fakes.telegram_fixtures import CHRONOLOGY
from tests.officer import conftest as officer_side
from tests.officer.conftest import (
    ESCALATION,
    FAST,
    OFFICERS,
    REPORTER,
    bot_says,
    file_complaint,
    texts_in,
    topic_of,
)

api = officer_side.api  # the officer side's fake Bot API and chat settings, reused
settings = officer_side.settings


@pytest.fixture
async def desk(app: App, api: FakeBotApi) -> AsyncIterator[TelegramOfficers]:
    """The Telegram bot, the officers' desk and the notice channel, as `wbs run` runs them."""
    telegram = TelegramChannel(app, rates=FAST)
    officers = TelegramOfficers(app, telegram)
    async with serving(app, [telegram, officers, TelegramNotices(app, officers)], api):
        yield officers


async def test_digest_and_reminder_reach_the_officers_and_conflicts_stay_in_escalation(
    app: App, api: FakeBotApi, desk: TelegramOfficers,
) -> None:
    code, _ = await file_complaint(UserChat(api, REPORTER))
    thread = await topic_of(api, code)
    hidden, _ = await file_complaint(UserChat(api, REPORTER + 1), concerns_team=True)
    await topic_of(api, hidden, ESCALATION)

    later = app.services.clock() + timedelta(days=14)  # both are past their acknowledgement
    app.services.clock = lambda: later
    jobs = Jobs(app.services)
    await jobs.sla_round()
    await jobs.digest_now()

    reminder = await bot_says(api, OFFICERS, "⏰", thread)
    assert code in reminder
    await bot_says(api, ESCALATION, f"⏰ {hidden}")
    team_digest = await bot_says(api, OFFICERS, "Ringkasan")
    assert code in team_digest
    assert hidden not in team_digest  # the team never learns of a report about itself
    escalation_digest = await bot_says(api, ESCALATION, "Ringkasan")
    assert hidden in escalation_digest
    assert code not in escalation_digest
    for text in texts_in(api, OFFICERS) + texts_in(api, ESCALATION):
        assert CHRONOLOGY not in text
