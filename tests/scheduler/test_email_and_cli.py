"""The digest by e-mail (to a loopback SMTP sink) and `wbs digest --now / --preview`."""

from __future__ import annotations

import argparse

import pytest

from bot.app import App, build_app
from bot.cli.main import build_parser
from bot.mailer import mailer
from bot.scheduler import Scheduler
from bot.settings import Settings
from handlers.jobs import DIGEST_PURPOSE
from tests.scheduler.conftest import (
    SECRET_STORY,
    Clock,
    local,
    seed_ticket,
    team_messages,
)
from tests.scheduler.smtp_sink import SmtpSink


def use_mail_server(app: App, scheduler: Scheduler, *, port: int, to: str) -> None:
    """Point the digest's e-mail at a local SMTP server on `port`."""
    app.settings = app.settings.replace(smtp={
        "host": "127.0.0.1", "port": port, "starttls": False, "sender": "wbs@imigrasi.example",
        "to": to})
    scheduler.jobs.mail = mailer(app.settings.smtp)


async def test_digest_is_emailed_to_the_listed_addresses_without_content(
    app: App, clock: Clock, scheduler: Scheduler,
) -> None:
    await seed_ticket(app, "WBS-MAIL-0001", local(2026, 11, 20, 9))
    async with SmtpSink() as sink:
        use_mail_server(app, scheduler, port=sink.port,
                        to="upg@imigrasi.example, kepala@imigrasi.example")
        clock.set(2026, 11, 24, 7, 30)
        await scheduler.jobs.digest_for_period("daily", clock())
    [(recipients, message)] = sink.messages
    assert recipients == ["upg@imigrasi.example", "kepala@imigrasi.example"]
    assert message["Subject"].startswith("📋 Ringkasan harian UPG")
    body = message.get_content()
    assert "WBS-MAIL-0001" in body
    assert SECRET_STORY not in body


async def test_unreachable_mail_server_still_sends_the_digest_to_the_chat(
    app: App, clock: Clock, scheduler: Scheduler,
) -> None:
    async with SmtpSink() as sink:
        closed_port = sink.port  # nobody listens here once the sink has stopped
    use_mail_server(app, scheduler, port=closed_port, to="upg@imigrasi.example")
    clock.set(2026, 11, 24, 7, 30)
    assert await scheduler.jobs.digest_for_period("daily", clock())
    assert len(await team_messages(app, DIGEST_PURPOSE)) == 1


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
async def test_wbs_digest_preview_prints_and_now_sends(
    settings: Settings, capsys: pytest.CaptureFixture[str],
) -> None:
    app = await build_app(settings)  # as `wbs init` leaves it: migrated, keys in the key file
    try:
        await seed_ticket(app, "WBS-CLIX-0001", app.services.clock())
        parser, commands = build_parser()

        async def wbs(*argv: str) -> str:
            args: argparse.Namespace = parser.parse_args(list(argv))
            assert await commands[args.command](args, settings) == 0
            return capsys.readouterr().out

        preview = await wbs("digest", "--preview")
        assert "WBS-CLIX-0001" in preview
        assert await team_messages(app, DIGEST_PURPOSE) == []  # a preview sends nothing
        weekly = await wbs("digest", "--preview", "--weekly")
        assert "ISO 37002" in weekly
        sent = await wbs("digest", "--now")
        assert "WBS-CLIX-0001" in sent
        [queued] = await team_messages(app, DIGEST_PURPOSE)
        assert queued.payload["kind"] == "manual"
    finally:
        await app.close()
    with pytest.raises(SystemExit):
        parser.parse_args(["digest"])  # --now or --preview is required
