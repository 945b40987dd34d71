"""A reporter's message that cannot be processed is not dropped in silence (issue #19): the
reporter is told in their own chat and language, and `wbs inbox retry` handles it later."""

from __future__ import annotations

from typing import Any

import pytest

from bot.settings import Settings
from handlers.engine.engine import Engine
from storage import inbox
from tests.channels.whatsapp_harness import (  # noqa: F401 - the *_fixture are fixtures
    Harness,
    graph_fixture,
    settings_fixture,
    wa_fixture,
)
from tests.fakes.graph_api import WARGA, messages_from
from tests.support.dead_letters import file_keyring, inbox_cli, migrated_app  # noqa: F401

NOT_PROCESSED_ID = "Maaf, pesan Anda belum dapat diproses. Silakan coba lagi."
NOT_PROCESSED_EN = "Sorry, your message could not be processed. Please try again."


def engine_fails(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every turn raises until the patch is undone; the calls."""
    calls: list[int] = []

    async def broken(self: Engine, *args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        raise RuntimeError("a bug")

    monkeypatch.setattr(Engine, "handle", broken)
    return calls


async def test_whatsapp_message_that_fails_tells_the_reporter_and_is_replayed_by_the_cli(
        wa: Harness, settings: Settings, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]):
    calls = engine_fails(monkeypatch)

    assert await wa.post(messages_from(WARGA, WARGA.text("/start", wamid="wamid.FAIL1"))) == 200

    assert wa.graph.texts() == [NOT_PROCESSED_ID]
    assert len(calls) == 1  # a bug is not a passing outage: no second try
    listed = await inbox_cli(settings, capsys, "failed")
    ((inbox_id, channel, _, attempts, error),) = [row.split("\t") for row in listed.splitlines()]
    assert (channel, attempts, error) == ("whatsapp", "1", "RuntimeError")

    monkeypatch.undo()
    assert await inbox_cli(settings, capsys, "retry", "--all") == f"{inbox_id}\thandled\n"

    assert len(wa.graph.texts()) == 2
    assert "Pilih" in wa.graph.sent[-1]["interactive"]["action"]["button"]  # the menu, once
    assert await inbox_cli(settings, capsys, "failed") == "no failed updates\n"


async def test_a_dead_letter_is_not_replayed_on_start_up_until_it_is_taken_back(
        wa: Harness, settings: Settings, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]):
    engine_fails(monkeypatch)
    await wa.post(messages_from(WARGA, WARGA.text("/start", wamid="wamid.FAIL2")))
    monkeypatch.undo()
    ring = wa.app.services.ring

    async def pending() -> list[tuple[str, bytes]]:
        return await wa.app.db.read(lambda s: inbox.unprocessed(session=s, ring=ring,
                                                                channel="whatsapp"))

    assert await pending() == []
    out = await inbox_cli(settings, capsys, "retry", "--all", "--later")
    assert out.endswith("queued: handled when the bot next starts\n")
    assert len(await pending()) == 1
    await wa.channel.stop()
    await wa.channel.start()  # the bot starting again replays it
    await wa.channel.idle()
    assert len(wa.graph.texts()) == 2
    assert await pending() == []
