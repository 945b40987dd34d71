"""How the engine words its questions: step prompts, the menu, the summary, navigation."""

from __future__ import annotations

from typing import Any

from handlers.engine.context import Turn
from handlers.engine.flow import Flow, Step
from handlers.engine.steps import Attachments
from handlers.engine.types import Option, Outbound
from handlers.engine.vocabulary import Nav, Prefix

LANGUAGE_NAMES = {"id": "Bahasa Indonesia", "en": "English"}


def common_params(turn: Turn) -> dict[str, Any]:
    """Placeholders every message may use."""
    return {"office": turn.settings.office.office_name, "team": turn.settings.office.team_name}


def nav_options(turn: Turn, step: Step, *, can_go_back: bool) -> list[Option]:
    """Navigation offered on a step: done for files, skip when optional, back when possible."""
    options = []
    if isinstance(step, Attachments) and turn.draft.get(step.id):
        options.append(Option(Nav.DONE, turn.t("common.nav.done")))
    if step.optional:
        options.append(Option(Nav.SKIP, turn.t("common.nav.skip")))
    if can_go_back:
        options.append(Option(Nav.BACK, turn.t("common.nav.back")))
    return options


def step_prompt(turn: Turn, step: Step, *, lead: str | None = None) -> Outbound:
    """The question for a step, optionally preceded by an error or note."""
    params = {**common_params(turn), "max": getattr(step, "max_len", ""),
              "min": getattr(step, "min_len", "")}
    text = turn.t(step.ask, **params)
    options = step.options(turn) + nav_options(turn, step, can_go_back=bool(turn.conv.history))
    return Outbound(f"{lead}\n\n{text}" if lead else text, tuple(options))


def menu(turn: Turn, flows: list[Flow], *, lead: str | None = None) -> Outbound:
    """The main menu: flows that list themselves, then language and help."""
    entries = sorted((f for f in flows if f.menu), key=lambda f: f.menu[1] if f.menu else 0)
    options = [Option(Prefix.MENU.option(f.name), turn.t(f.menu[0])) for f in entries if f.menu]
    options += [Option(Nav.LANGUAGE, turn.t("menu.language")),
                Option(Nav.HELP, turn.t("menu.help"))]
    text = turn.t("menu.greeting", **common_params(turn))
    return Outbound(f"{lead}\n\n{text}" if lead else text, tuple(options))


def language_choice(turn: Turn) -> Outbound:
    """Ask which language to use."""
    return Outbound(turn.t("common.language.ask"),
                    tuple(Option(Prefix.LANGUAGE.option(code), name)
                          for code, name in LANGUAGE_NAMES.items()))


def summary(turn: Turn, flow: Flow) -> Outbound:
    """Every answer for review, the honest notice, and submit / edit / cancel."""
    lines = [turn.t("common.summary.title")]
    for step in flow.answered(turn.draft):
        label = turn.t(f"{flow.name}.field.{step.id}")
        lines.append(f"• {label}: {step.show(turn, turn.draft.get(step.id))}")
    if flow.confirm_notice:
        lines += ["", turn.t(flow.confirm_notice, **common_params(turn))]
    lines += ["", turn.t("common.summary.ask")]
    return Outbound("\n".join(lines), (
        Option(Nav.SUBMIT, turn.t("common.summary.submit")),
        Option(Nav.EDIT, turn.t("common.summary.edit")),
        Option(Nav.CANCEL, turn.t("common.summary.cancel")),
    ))


def edit_choice(turn: Turn, flow: Flow) -> Outbound:
    """Which answer to change."""
    options = [Option(Prefix.EDIT.option(s.id), turn.t(f"{flow.name}.field.{s.id}"))
               for s in flow.answered(turn.draft)]
    return Outbound(turn.t("common.summary.edit_ask"), (*options,
                    Option(Nav.RESUME, turn.t("common.nav.back"))))


def in_flow_notice(turn: Turn) -> Outbound:
    """The reporter asked for something else while filling a report: resume or cancel."""
    return Outbound(turn.t("common.in_flow"), (
        Option(Nav.RESUME, turn.t("common.nav.resume")),
        Option(Nav.CANCEL, turn.t("common.nav.cancel")),
    ))
