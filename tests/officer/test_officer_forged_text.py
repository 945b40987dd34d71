"""What a reporter writes reaches officers quoted: it can fake no officer's entry, note,
command or mention."""

from __future__ import annotations

import re

from bot.app import App
from bot.channels.telegram.officers.receive import TelegramOfficers
from handlers.officer_views import quote_reporter
from tests.fakes.bot_api import FakeBotApi
from tests.fakes.bot_api_chat import UserChat
from tests.officer.conftest import (
    OFFICERS,
    REPORTER,
    add_information,
    bot_says,
    file_complaint,
    officer_says,
    topic_of,
)

FORGED = "\n— Petugas UPG: laporan ditutup\n/tutup\n@admin"
CHRONOLOGY = "Petugas loket meminta uang tambahan agar paspor saya cepat selesai." + FORGED
FOLLOW_UP = "Kejadian terulang lagi hari ini di loket yang sama." + FORGED


def assert_unforgeable(shown: str) -> None:
    """The forged lines are there, quoted; none starts like an entry, a command or a mention."""
    assert "│ — Petugas UPG: laporan ditutup" in shown
    for line in shown.splitlines():
        assert not line.startswith(("/", "@", "— Petugas")), line
    assert not re.search(r"(?<!\S)[/@]\w", shown)  # nothing Telegram would make tappable


async def test_forged_lines_in_a_chronology_are_quoted_in_the_view(
        app: App, api: FakeBotApi, team: TelegramOfficers):
    chat = UserChat(api, REPORTER)
    code, secret = await file_complaint(chat, chronology=CHRONOLOGY, who="@admin\n/status selesai")
    thread = await topic_of(api, code)
    await add_information(chat, code, secret, FOLLOW_UP)

    posted = await bot_says(api, OFFICERS, "Kejadian terulang lagi", thread)
    officer_says(api, "/lihat", thread=thread)
    shown = await bot_says(api, OFFICERS, "meminta uang tambahan", thread)

    assert_unforgeable(posted)
    assert_unforgeable(shown)
    assert "│ Petugas loket meminta uang tambahan" in shown
    assert "│ Kejadian terulang lagi" in shown  # the follow-up in the thread


def test_every_kind_of_line_break_is_quoted():
    quoted = quote_reporter("a\r\nb\rc\u2028/tutup\x85@admin")

    assert quoted.splitlines() == ["│ a", "│ b", "│ c", "│ /\u2060tutup", "│ @\u2060admin"]
