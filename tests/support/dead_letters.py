"""For tests of dead letters (issue #19): the app built as `wbs` builds it, so the `wbs inbox`
commands open what the running bot stored, and a way to run those commands."""

from __future__ import annotations

import argparse
from collections.abc import AsyncIterator

import pytest

from bot.app import App, build_app
from bot.cli.inbox import cmd_inbox
from bot.cli.main import build_parser
from bot.settings import Settings
from storage.crypto import Keyring


@pytest.fixture(name="keyring")
def file_keyring(settings: Settings) -> Keyring:
    """The key file `wbs` itself reads, so the CLI can open what the running bot stored."""
    return Keyring.load_or_create(settings.storage.key_path)


@pytest.fixture(name="app")
async def migrated_app(settings: Settings, keyring: Keyring) -> AsyncIterator[App]:
    """The app on a migrated database, as `wbs run` and the CLI build it."""
    application = await build_app(settings, ring=keyring)
    yield application
    await application.close()


async def inbox_cli(settings: Settings, capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """Run `wbs inbox ...`; what it printed."""
    capsys.readouterr()
    args: argparse.Namespace = build_parser()[0].parse_args(["inbox", *argv])
    await cmd_inbox(args, settings)
    return capsys.readouterr().out
