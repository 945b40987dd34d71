"""Logs never carry report content, secrets or platform ids, even when a turn fails."""

from __future__ import annotations

import logging

import pytest

from bot.app import App, setup_logging
from tests.handlers.test_complaint_flow import CHRONOLOGY, receipt_of, walk_to_summary
from tests.support.reporter import Reporter

HANDLE = "628123456789"


async def test_a_full_report_logs_nothing_identifying(app: App, caplog: pytest.LogCaptureFixture):
    setup_logging(app.settings.replace(runtime={"log_level": "DEBUG"}))
    caplog.set_level(logging.DEBUG)
    r = Reporter(app.engine, handle=HANDLE)
    await walk_to_summary(r)
    await r.choose("confirm:submit")
    code, secret = receipt_of(r)
    logged = "\n".join(rec.getMessage() + str(rec.exc_info or "") for rec in caplog.records)
    for needle in (CHRONOLOGY, "berkacamata", secret, HANDLE, r.digest):
        assert needle not in logged


async def test_a_failing_turn_logs_no_content_and_answers_politely(
    app: App, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch,
):
    setup_logging(app.settings.replace(runtime={"log_level": "DEBUG"}))
    caplog.set_level(logging.DEBUG)
    r = Reporter(app.engine, handle=HANDLE)
    await r.say("/start")
    await r.choose("menu:complaint")
    await r.choose("pungli")

    def broken(*_args, **_kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("handlers.engine.engine.find_leaks", broken)
    await r.say(CHRONOLOGY)
    assert "Mohon maaf, terjadi gangguan" in r.text
    logged = "\n".join(rec.getMessage() for rec in caplog.records)
    assert "turn failed" in logged
    assert CHRONOLOGY not in logged
    assert HANDLE not in logged
    monkeypatch.undo()
    await r.say(CHRONOLOGY)  # nothing was lost: the same question accepts the answer now
    assert "Siapa pihak yang dilaporkan" in r.text
