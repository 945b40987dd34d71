"""The option ids the engine understands: navigation, the summary's buttons, and the
prefixed picks (a flow in the menu, a language, an answer to edit).

They are stored in conversations and outbox rows and travel as Telegram callback data, so the
strings never change; members are `str`s and compare equal to them."""

from __future__ import annotations

from enum import StrEnum


class Nav(StrEnum):
    """Fixed option ids: moving inside a flow, the summary, and the menu's own entries."""

    BACK = "nav:back"  # the previous question
    SKIP = "nav:skip"  # leave an optional question empty
    DONE = "nav:done"  # no more files
    KEEP = "nav:keep"  # keep an answer despite the personal-data warning
    RESUME = "nav:resume"  # back to where the reporter was
    CANCEL = "nav:cancel"  # drop the draft (handled before any step)
    SUBMIT = "confirm:submit"  # send the reviewed answers
    EDIT = "confirm:edit"  # change an answer from the summary
    LANGUAGE = "menu:language"  # choose a language
    HELP = "menu:help"  # the help text


class Prefix(StrEnum):
    """Option ids that name something after a fixed prefix."""

    MENU = "menu:"  # menu:<flow name>
    LANGUAGE = "lang:"  # lang:<language code>
    EDIT = "edit:"  # edit:<step id>

    def option(self, name: str) -> str:
        """The option id for `name` (`Prefix.MENU.option("status")` is "menu:status")."""
        return f"{self.value}{name}"

    def picked(self, option: str) -> str | None:
        """The name in an option id with this prefix ("menu:status" -> "status"), else None."""
        return option.removeprefix(self.value) if option.startswith(self.value) else None
