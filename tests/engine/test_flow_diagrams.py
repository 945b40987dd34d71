"""The diagrams under docs/flows/ are drawn from the flow data and kept in step with it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from handlers.engine.diagram import generated_files, mermaid, render
from handlers.engine.flow import Flow, Outcome
from handlers.engine.steps import Date, Money, Text
from handlers.registry import all_flows

DOCS = Path(__file__).resolve().parents[2] / "docs" / "flows"


async def _submit(turn: Any) -> Outcome:
    return Outcome([])


def wants_place(draft: dict[str, Any]) -> bool:
    return draft.get("where") == "elsewhere"


def test_committed_diagrams_match_the_flow_data():
    wanted = render(all_flows())
    have = {path.name: path.read_text(encoding="utf-8") for path in generated_files(DOCS)}
    differ = sorted({name for name, text in wanted.items() if have.get(name) != text}
                    | (set(have) - set(wanted)))
    assert differ == [], f"docs/flows/ is out of date ({', '.join(differ)}): run `make diagrams`"


def test_optional_steps_skip_and_when_branches_become_labelled_edges():
    flow = Flow("demo", steps=[
        Text("what", ask="demo.ask.what"),
        Text("place", ask="demo.ask.place", when=wants_place),
        Money("amount", ask="demo.ask.amount", optional=True),
        Date("day", ask="demo.ask.day", when=lambda d: d.get("amount") is not None),
    ], on_submit=_submit, summary=True)

    text = mermaid(flow)

    edges = [line.strip() for line in text.splitlines() if "->" in line]
    assert edges == [
        "start --> step_what",
        "step_what --> when_place",
        'when_place -->|"when wants_place"| step_place',
        'when_place -->|"otherwise"| step_amount',
        "step_place --> step_amount",
        "step_amount --> when_day",
        'step_amount -.->|"skip"| when_day',
        'when_day -->|"when amount is not None"| step_day',
        'when_day -->|"otherwise"| summary',
        "step_day --> summary",
        'summary -->|"confirm"| submit',
    ]
    assert text.startswith("flowchart TD\n")
    assert '    step_amount["amount<br/>Money · demo.ask.amount"]' in text
    assert "class step_amount optional" in text
    assert text == mermaid(flow)


def test_labels_escape_what_mermaid_reads_as_syntax():
    flow = Flow("odd", steps=[
        Text("quote", ask='say "hi" <b> | #1', when=lambda d: d.get("a") == 'x"y'),
    ], on_submit=_submit)

    text = mermaid(flow)

    assert 'step_quote["quote<br/>Text · say #quot;hi#quot; #lt;b#gt; #124; #35;1"]' in text
    assert """when_quote -->|"when a == 'x#quot;y'"| step_quote""" in text
