"""`wbs officer` manages the allow-list; `wbs audit verify` finds tampering."""

from __future__ import annotations

import argparse

import pytest
from sqlalchemy import update

from bot.app import build_app
from bot.cli.main import build_parser
from bot.cli.officer import cmd_audit, cmd_officer
from bot.settings import Settings
from storage import audit, officers
from storage.models import AuditEntry


def parse(*argv: str) -> argparse.Namespace:
    return build_parser()[0].parse_args(list(argv))


async def test_officers_are_added_listed_removed_and_each_change_is_audited(
        settings: Settings, capsys: pytest.CaptureFixture[str]):
    assert await cmd_officer(parse("officer", "add", "501", "--name", "Budi Santoso",
                                   "--username", "budi"), settings) == 0
    assert await cmd_officer(parse("officer", "add", "502", "--admin", "--name", "Sari"),
                             settings) == 0
    await cmd_officer(parse("officer", "list"), settings)
    listed = capsys.readouterr().out
    assert "502\tadmin\tSari" in listed
    assert "501\tofficer\tBudi Santoso @budi" in listed

    assert await cmd_officer(parse("officer", "remove", "501"), settings) == 0
    assert await cmd_officer(parse("officer", "remove", "999"), settings) == 1
    assert await cmd_audit(parse("audit", "verify"), settings) == 0
    assert "3 entries checked: intact" in capsys.readouterr().out

    app = await build_app(settings)
    try:
        active = await app.db.read(lambda s: officers.list_officers(session=s))
        entries = await app.db.read(lambda s: audit.entries(session=s))
    finally:
        await app.close()
    assert [o.telegram_user_id for o in active] == [502]
    assert [e.action for e in entries] == ["officer_remove", "officer_add", "officer_add"]
    assert all(e.actor == "cli" for e in entries)
    assert all("Budi" not in e.details for e in entries)


async def test_audit_verify_reports_a_tampered_row(settings: Settings,
                                                   capsys: pytest.CaptureFixture[str]):
    await cmd_officer(parse("officer", "add", "501", "--name", "Budi"), settings)
    await cmd_officer(parse("officer", "add", "503", "--name", "Rina"), settings)
    app = await build_app(settings)
    try:
        await app.db.transaction(lambda s: s.execute(
            update(AuditEntry).where(AuditEntry.seq == 1).values(action="officer_remove")))
    finally:
        await app.close()
    capsys.readouterr()

    assert await cmd_audit(parse("audit", "verify"), settings) == 2
    out = capsys.readouterr().out
    assert "TAMPERED: entry 1" in out
    assert "NOT intact" in out
