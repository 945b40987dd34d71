"""Fuzzing every step of the complaint and status flows through the engine: arbitrary text,
unicode, control characters, emoji, huge inputs and bogus option ids never escape as an
exception or the "internal error" apology, and the answer is in the reporter's language."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import App
from handlers import i18n
from handlers.engine.types import ChannelKind, Inbound
from tests.reliability.webchat import WALK
from tests.support.reporter import Reporter

FOREIGN = {"en": ("Anda", "Mohon "), "id": (" your ", "Thank you")}
OPTION_IDS = ["menu:complaint", "menu:status", "menu:gift", "menu:language", "menu:help",
              "nav:back", "nav:skip", "nav:done", "nav:keep", "nav:cancel", "nav:resume",
              "confirm:submit", "confirm:edit", "edit:chronology", "edit:nope", "lang:en",
              "lang:xx", "pungli", "tidak", "ya", "add", "refresh", "done", "#0", "#99", "tg:forget"]
texts = st.one_of(
    st.text(max_size=300),
    st.text(st.characters(codec="utf-8"), min_size=1, max_size=50),
    st.sampled_from(["\x00", "\u202e\u200f", "🙂" * 500, "/", "/cek extra", "/lapor@bot",
                     "a" * 5000, "x" * 100_000, "  ", "-", "kembali", "selesai", "WBS-2345-6789",
                     "3171234567890001", "0812 3456 7890", "{code}", "%s %d {0}"]),
)
inputs = st.one_of(
    st.builds(lambda t: {"text": t}, texts),
    st.builds(lambda o: {"option": o}, st.one_of(st.sampled_from(OPTION_IDS), st.text(max_size=80))),
    st.builds(lambda t, o: {"text": t, "option": o}, texts, st.sampled_from(OPTION_IDS)),
)
_handles = itertools.count()


async def walk_to(reporter: Reporter, step: int) -> None:
    """Take the first `step` steps of the walk (up to the status check's secret)."""
    receipt: dict[str, str] = {}
    for kind, value, expected in WALK[:step]:
        if kind == "press":
            await reporter.choose(value)
        else:
            await reporter.say(value.format(**receipt))
        if expected == "receipt.issued":
            from tests.reliability.webchat import receipt_of  # noqa: PLC0415

            receipt = receipt_of([m.text for m in reporter.replies])


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(step=st.integers(0, len(WALK) - 1), lang=st.sampled_from(["id", "en"]), given_input=inputs)
async def test_any_input_at_any_step_gets_a_polite_answer_in_the_reporters_language(
        app: App, step: int, lang: str, given_input: dict[str, str]):
    reporter = Reporter(app.engine, channel=ChannelKind.TELEGRAM,
                        handle=f"fuzz{next(_handles)}", language=lang)
    await walk_to(reporter, step)

    replies = await reporter.send(Inbound(ChannelKind.TELEGRAM, reporter.handle,
                                          language_hint=lang, **given_input))

    assert replies, "no answer at all"
    said = "\n".join(m.text for m in replies)
    assert i18n.t(lang, "common.error.internal") not in said
    typed = given_input.get("text") or ""
    for word in FOREIGN[lang]:
        assert word not in said or word in typed or "lang:" in given_input.get("option", "")
