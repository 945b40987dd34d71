"""Slash commands: one table the engine reads and the Telegram command menu lists."""

from __future__ import annotations

from bot.app import App
from handlers.engine.commands import command_menu
from tests.support.reporter import Reporter


def test_each_language_menu_lists_its_own_command_words():
    assert [word for word, _ in command_menu("id")] == [
        "start", "lapor", "cek", "gratifikasi", "bahasa", "hapus", "bantuan", "batal"]
    assert [word for word, _ in command_menu("en")] == [
        "start", "report", "status", "gift", "language", "delete", "help", "cancel"]
    assert all(key.startswith("telegram.command.") for lang in ("id", "en")
               for _, key in command_menu(lang))


async def test_an_english_command_starts_the_flow_for_an_indonesian_reporter(app: App):
    r = Reporter(app.engine)
    await r.say("/report")
    assert "pungli" in r.options, r.text


async def test_delete_where_the_channel_cannot_delete_is_an_unknown_command(app: App):
    r = Reporter(app.engine)
    await r.say("/hapus")
    unknown = r.text
    await r.say("/entahlah")
    assert r.text == unknown
