"""Option ids are kept in stored conversations and travel as Telegram callback data."""

from __future__ import annotations

from handlers.engine.vocabulary import Nav, Prefix


def test_option_ids_keep_the_strings_stored_conversations_and_buttons_carry():
    assert {member.name: str(member) for member in Nav} == {
        "BACK": "nav:back", "SKIP": "nav:skip", "DONE": "nav:done", "KEEP": "nav:keep",
        "RESUME": "nav:resume", "CANCEL": "nav:cancel", "SUBMIT": "confirm:submit",
        "EDIT": "confirm:edit", "LANGUAGE": "menu:language", "HELP": "menu:help",
    }
    assert [Prefix.MENU.option("status"), Prefix.LANGUAGE.option("en"),
            Prefix.EDIT.option("amount")] == ["menu:status", "lang:en", "edit:amount"]


def test_a_prefixed_option_gives_back_its_name_and_any_other_option_nothing():
    assert Prefix.EDIT.picked("edit:amount") == "amount"
    assert Prefix.MENU.picked("lang:en") is None
