"""Crash safety: `wbs run` is SIGKILLed under load at random moments and restarted; reports
the reporters were shown exist exactly once, and interrupted flows go on where they were."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.conftest import BACKENDS
from tests.reliability.run_bot import ChaosRun, run_chaos


@pytest.fixture(scope="module", params=BACKENDS)
def chaos(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> ChaosRun:
    """One crash run per database, shared by the tests below (it takes a while)."""
    return asyncio.run(run_chaos(request.param, tmp_path_factory.mktemp(request.param)))


def test_the_bot_was_killed_while_reporters_were_mid_flow(chaos: ChaosRun):
    assert len(chaos.outcome.mid_flow_at_kill) == 3
    assert all(busy > 0 for busy in chaos.outcome.mid_flow_at_kill)


def test_every_receipt_shown_belongs_to_exactly_one_ticket(chaos: ChaosRun):
    outcome = chaos.outcome
    assert len(outcome.receipts) + len(outcome.lost_receipts) == len(chaos.chats)
    assert chaos.tickets_by_code
    assert set(chaos.tickets_by_code.values()) == {1}
    # no ticket beyond the one submit per reporter (no duplicates from redeliveries)
    assert chaos.ticket_count == len(chaos.chats)


def test_interrupted_flows_resume_at_the_step_they_were_at(chaos: ChaosRun):
    # the walk itself fails when /bantuan shows any other step; here: every reporter finished
    finished = set(chaos.outcome.receipts) | set(chaos.outcome.lost_receipts)
    assert finished == set(chaos.chats)


def test_restarted_bot_logs_no_unexpected_error(chaos: ChaosRun):
    log = Path(chaos.log).read_text(errors="replace")
    assert "Traceback" not in log


def _needles(chaos: ChaosRun) -> dict[str, bytes]:
    found = {f"report text {w}": w.encode() for w in chaos.outcome.texts}
    found |= {f"secret of {code}": secret.encode()
              for code, secret in chaos.outcome.receipts.values()}
    found |= {f"chat id {chat}": str(chat).encode() for chat in chaos.chats}
    return found


def test_database_data_dir_and_logs_hold_no_report_text_secret_or_chat_id(chaos: ChaosRun):
    haystacks = {str(p): p.read_bytes() for p in chaos.data_dir.rglob("*") if p.is_file()}
    haystacks["bot log"] = chaos.log.read_bytes()
    haystacks["database rows"] = chaos.table_dump
    assert any(name.endswith("wbs.db") for name in haystacks) or chaos.table_dump
    leaks = [f"{what} in {where}" for what, needle in _needles(chaos).items()
             for where, data in haystacks.items() if needle in data]
    assert leaks == []
