"""Slash commands in one table: per language, each word, what it does, and the msgid that
describes it in a platform's command menu (Telegram's setMyCommands reads this table).

The engine understands every word of every language, whatever the reporter's language; the
command menu of each language lists only that language's words with a description."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Action(StrEnum):
    """What a command does."""

    MENU = "menu"  # the main menu (or "resume or cancel?" inside a flow)
    START = "start"  # start the flow `Command.flow`
    LANGUAGE = "language"  # choose a language, or set it: "/bahasa en"
    HELP = "help"  # the help text, then the current question again
    CANCEL = "cancel"  # drop the draft
    # Deleting the chat is done by channels that can (Telegram) before the engine sees it;
    # elsewhere the engine answers it like an unknown command.
    DELETE = "delete"


@dataclass(frozen=True, slots=True)
class Command:
    """One command word's meaning; `description` None: understood but not listed."""

    action: Action
    description: str | None = None
    flow: str | None = None


def _start(flow: str, description: str | None = None) -> Command:
    return Command(Action.START, description, flow)


MENU = Command(Action.MENU, "telegram.command.menu")
REPORT = _start("complaint", "telegram.command.report")
STATUS = _start("status", "telegram.command.status")
GIFT = _start("gift_check", "telegram.command.gift")
LANGUAGE = Command(Action.LANGUAGE, "telegram.command.language")
DELETE = Command(Action.DELETE, "telegram.command.delete")
HELP = Command(Action.HELP, "telegram.command.help")
CANCEL = Command(Action.CANCEL, "telegram.command.cancel")

#: language -> command word -> meaning, in the order a command menu lists them.
COMMANDS: dict[str, dict[str, Command]] = {
    "id": {"start": MENU, "lapor": REPORT, "cek": STATUS, "gratifikasi": GIFT,
           "bahasa": LANGUAGE, "hapus": DELETE, "bantuan": HELP, "batal": CANCEL,
           "mulai": Command(Action.MENU), "menu": Command(Action.MENU),
           "pengaduan": _start("complaint")},
    "en": {"start": MENU, "report": REPORT, "status": STATUS, "gift": GIFT,
           "language": LANGUAGE, "delete": DELETE, "help": HELP, "cancel": CANCEL},
}


def understood() -> dict[str, Command]:
    """Every command word of every language; a word means the same in each."""
    words: dict[str, Command] = {}
    for table in COMMANDS.values():
        for word, command in table.items():
            known = words.setdefault(word, command)
            if (known.action, known.flow) != (command.action, command.flow):
                raise ValueError(f"command /{word} means two things")
    return words


def command_menu(lang: str) -> list[tuple[str, str]]:
    """(word, description msgid) of the commands a language's command menu shows, in order."""
    return [(word, c.description) for word, c in COMMANDS.get(lang, {}).items() if c.description]


def starting(flow: str) -> tuple[str, ...]:
    """The words that start this flow, in table order (e.g. ("cek", "status"))."""
    return tuple(word for word, c in understood().items()
                 if c.action == Action.START and c.flow == flow)


def words_for(action: Action) -> set[str]:
    """Every word, in any language, for this action (e.g. {"hapus", "delete"})."""
    return {word for word, c in understood().items() if c.action == action}
