"""Each step kind accepts good input and explains bad input in the reporter's language."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import App
from handlers.engine.types import ChannelKind, Inbound
from tests.handlers.test_complaint_flow import CHRONOLOGY
from tests.support.reporter import Reporter

INDONESIAN_MARKERS = ("Mohon", "Silakan", "Perhatian", "Siapa", "Jawaban Anda", "Anda")


async def at_chronology(app: App) -> Reporter:
    """A reporter waiting at the free-text "what happened" question."""
    r = Reporter(app.engine)
    await r.say("/start")
    await r.choose("menu:complaint")
    await r.choose("pungli")
    return r


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=5000))
async def test_any_text_at_a_free_text_step_gets_an_indonesian_answer(app: App, text: str):
    r = await at_chronology(app)
    replies = await r.send(Inbound(ChannelKind.CONSOLE, r.handle, text=text))
    assert replies, "the reporter always gets an answer"
    assert any(marker in r.text for marker in INDONESIAN_MARKERS), r.text[:200]
    await r.say("/batal")


async def test_control_characters_are_removed_from_free_text(app: App):
    from storage.conversations import load_conversation  # noqa: PLC0415

    r = await at_chronology(app)
    await r.say(CHRONOLOGY + "\x00\x07\x1b[31m")
    assert "Siapa pihak yang dilaporkan" in r.text
    digest = r.digest
    conv = await app.db.read(lambda s: load_conversation(session=s, ring=app.services.ring,
                                                         digest=digest))
    assert conv.draft["chronology"] == CHRONOLOGY + "[31m"
