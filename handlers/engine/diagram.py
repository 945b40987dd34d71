"""Flows drawn from their data: a Mermaid flowchart per flow, for docs/flows/ and the README.

Only the flow's data is read (step ids, kinds, prompt msgids, `optional`, `when=`, the summary,
the submit handler's name and docstring, the command table); nothing is run. A `when=` reads
as its function's name, its docstring, or a lambda's expression taken from its source. Optional
attributes are read with defaults, so a step kind without `when` or `optional` still draws.

    python -m handlers.engine.diagram docs/flows      # what `make diagrams` runs
"""

from __future__ import annotations

import argparse
import ast
import copy
import dataclasses
import enum
import importlib
import inspect
import re
import sys
import types
from collections.abc import Callable, Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from handlers.engine import commands as command_table

GENERATED = "<!-- Generated from the flow data by `make diagrams`; do not edit. -->"
DEFAULT_FLOWS = "handlers.registry:all_flows"
MAX_LABEL = 48
OPTIONAL_STYLE = "classDef optional stroke-dasharray: 5 4"
SENSITIVE_STYLE = "classDef sensitive fill:#fde2e2,stroke:#b33"

# Characters Mermaid reads as syntax even inside a quoted label, as its entity codes.
_ESCAPES = {"#": "#35;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "|": "#124;", "`": "#96;",
            "&": "#amp;", "\n": " ", "\r": " ", "\t": " "}
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


class _Tail(NamedTuple):
    """An edge that waits for the next node: where it starts, its label, whether it is dotted."""

    source: str
    label: str | None = None
    dotted: bool = False


def escape(text: str) -> str:
    """Text made safe inside a quoted Mermaid label."""
    return "".join(_ESCAPES.get(ch, ch) for ch in text)


def _short(text: str, limit: int = MAX_LABEL) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _label(*lines: str) -> str:
    return "<br/>".join(escape(_short(line)) for line in lines if line)


def _first_line(doc: str | None) -> str:
    return doc.strip().splitlines()[0].strip() if doc and doc.strip() else ""


class _Ids:
    """Readable, unique Mermaid node ids (letters, digits and `_`, never a keyword)."""

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def make(self, prefix: str, name: str) -> str:
        base = prefix + (re.sub(r"\W", "_", name, flags=re.ASCII) or "x")
        node, n = base, 2
        while node in self.taken:
            node, n = f"{base}_{n}", n + 1
        self.taken.add(node)
        return node


def _msgid(value: Any) -> str:
    """A prompt as its catalog key: a string, or an object's `key`/`msgid`."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    for attr in ("key", "msgid"):
        if isinstance(found := getattr(value, attr, None), str):
            return found
    return _ADDRESS.sub("", str(value))


@cache
def _module_tree(filename: str) -> ast.Module | None:
    try:
        return ast.parse(Path(filename).read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return None


def _lambda_node(fn: types.FunctionType) -> ast.Lambda | None:
    """The lambda's own node in its module's source, if it can be told apart from its neighbours."""
    code = fn.__code__
    filename = inspect.getsourcefile(fn)
    tree = _module_tree(filename) if filename else None
    if tree is None:
        return None
    found = [n for n in ast.walk(tree) if isinstance(n, ast.Lambda) and n.lineno == code.co_firstlineno]
    if len(found) > 1:  # several on one line: the one whose span holds the body's columns
        cols = [p[2] for p in code.co_positions() if p[0] == code.co_firstlineno and p[2] is not None]
        start = min(cols, default=-1)
        found = [n for n in found if n.col_offset <= start <= (n.end_col_offset or 0)][-1:]
    return found[0] if len(found) == 1 else None


class _Readable(ast.NodeTransformer):
    """`d.get("x")` and `d["x"]` read as `x`, `d` as `draft`; closure variables as their values."""

    def __init__(self, param: str, values: dict[str, Any]) -> None:
        self.param, self.values = param, values

    def _is_param(self, node: ast.expr) -> bool:
        return isinstance(node, ast.Name) and node.id == self.param

    def visit_Call(self, node: ast.Call) -> ast.AST:
        """`d.get("key")` -> `key`."""
        func = node.func
        if (isinstance(func, ast.Attribute) and func.attr == "get" and self._is_param(func.value)
                and len(node.args) == 1 and not node.keywords
                and isinstance(key := node.args[0], ast.Constant) and isinstance(key.value, str)):
            return ast.Name(key.value)
        return self.generic_visit(node)

    def visit_Subscript(self, node: ast.Subscript) -> ast.AST:
        """`d["key"]` -> `key`."""
        key = node.slice
        if self._is_param(node.value) and isinstance(key, ast.Constant) and isinstance(key.value, str):
            return ast.Name(key.value)
        return self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> ast.AST:
        """A closure variable -> its value; the lambda's parameter reads as `draft`."""
        if node.id == self.param:
            return ast.Name("draft")
        if node.id not in self.values:
            return node
        value = self.values[node.id]
        if isinstance(value, enum.Enum):
            return ast.Name(f"{type(value).__name__}.{value.name}")
        return ast.Constant(value)


def _lambda_text(fn: types.FunctionType) -> str:
    node = _lambda_node(fn)
    if node is None or len(node.args.args) != 1:
        return ""
    simple = (str, int, float, bool, type(None), enum.Enum)
    cells = zip(fn.__code__.co_freevars, fn.__closure__ or (), strict=False)
    values = {name: cell.cell_contents for name, cell in cells
              if isinstance(cell.cell_contents, simple)}
    body = _Readable(node.args.args[0].arg, values).visit(copy.deepcopy(node.body))  # the tree is cached
    return ast.unparse(body)


def describe(condition: Any) -> str:
    """A `when=` condition in a few words: its name, its docstring, or a lambda's expression."""
    if condition is None:
        return ""
    if isinstance(condition, types.FunctionType):
        name = condition.__name__
        if name != "<lambda>":
            return name.lstrip("_") or name
        return _first_line(condition.__doc__) or _lambda_text(condition) or "a condition"
    if dataclasses.is_dataclass(condition):  # a condition that is data itself, e.g. Answered("x")
        return _ADDRESS.sub("", repr(condition))
    if own_doc := _first_line(getattr(type(condition), "__doc__", None)):
        return own_doc
    name = getattr(condition, "__name__", None) or type(condition).__name__
    return str(name).lstrip("_") or "a condition"


def _callable_name(fn: Any) -> str:
    return str(getattr(fn, "__name__", None) or type(fn).__name__)


def _next_flows(flow: Any) -> list[str]:
    """The flows this one hands over to, where the flow declares them (`next_flow(s)`)."""
    names: list[str] = []
    for attr in ("next_flow", "next_flows"):
        value: Any = getattr(flow, attr, None)
        if isinstance(value, str) or not isinstance(value, Iterable):
            value = [value]
        names += [str(getattr(v, "name", v)) for v in value if v]
    return list(dict.fromkeys(names))


def _commands(flow: Any) -> list[str]:
    """The slash commands that start the flow: its own `commands`, then the command table's."""
    words = [str(c) for c in getattr(flow, "commands", ()) or ()]
    tables = getattr(command_table, "COMMANDS", {})
    for table in tables.values() if isinstance(tables, dict) else ():
        words += [str(word) for word, command in table.items() if getattr(command, "flow", None) == flow.name]
    return list(dict.fromkeys(words))


def _entry(flow: Any) -> str:
    """How the flow starts: the menu, its slash commands, the context it needs from another flow."""
    parts = ["menu"] if getattr(flow, "menu", None) else []
    parts += [f"/{c}" for c in _commands(flow)]
    if needs := getattr(flow, "requires_context", ()) or ():
        parts.append("needs context: " + ", ".join(map(str, needs)))
    return " ".join(parts)


class _Drawing:
    """A flowchart being drawn: node lines, edge lines, and the nodes of each style class."""

    def __init__(self) -> None:
        self.ids = _Ids()
        self.nodes: list[str] = []
        self.edges: list[str] = []
        self.classes: dict[str, list[str]] = {"optional": [], "sensitive": []}

    def node(self, prefix: str, name: str, shape: str, label: str) -> str:
        """Add a node; `shape` is Mermaid's brackets around the quoted label, e.g. `[]` or `{}`."""
        node = self.ids.make(prefix, name)
        opening, closing = shape[: len(shape) // 2], shape[len(shape) // 2 :]
        self.nodes.append(f'    {node}{opening}"{label}"{closing}')
        return node

    def connect(self, tails: Sequence[_Tail], target: str) -> None:
        """Edges from every waiting tail to `target`."""
        for tail in tails:
            arrow = "-.->" if tail.dotted else "-->"
            label = f'|"{escape(tail.label)}"|' if tail.label else ""
            self.edges.append(f"    {tail.source} {arrow}{label} {target}")

    def step(self, step: Any, tails: list[_Tail]) -> list[_Tail]:
        """A step, behind a decision if it has `when=`; the edges that leave it."""
        step_id = str(step.id)
        condition = getattr(step, "when", None)
        if condition is not None:
            decision = self.node("when_", step_id, "{}", _label(step_id + "?"))
            self.connect(tails, decision)
            tails = [_Tail(decision, "when " + _short(describe(condition)))]
            leaving = [_Tail(decision, "otherwise")]
        else:
            leaving = []
        kind, ask = type(step).__name__, _msgid(getattr(step, "ask", None))
        node = self.node("step_", step_id, "[]", _label(step_id, f"{kind} · {ask}" if ask else kind))
        self.connect(tails, node)
        leaving.append(_Tail(node))
        if getattr(step, "optional", False):
            leaving.append(_Tail(node, "skip", dotted=True))
            self.classes["optional"].append(node)
        if getattr(step, "sensitive", False):
            self.classes["sensitive"].append(node)
        return leaving

    def text(self) -> str:
        """The flowchart: nodes in flow order, then edges, then the styles used."""
        styles = []
        for name, style in (("optional", OPTIONAL_STYLE), ("sensitive", SENSITIVE_STYLE)):
            if self.classes[name]:
                styles += [f"    {style}", f"    class {','.join(self.classes[name])} {name}"]
        return "\n".join(["flowchart TD", *self.nodes, *self.edges, *styles]) + "\n"


def mermaid(flow: Any) -> str:
    """The flow as a Mermaid `flowchart TD`, from its data only; the same flow gives the same text."""
    drawing = _Drawing()
    tails = [_Tail(drawing.node("", "start", "([])", _label(str(flow.name), _entry(flow))))]
    if intro := _msgid(getattr(flow, "intro", None)):
        node = drawing.node("", "intro", ">]", _label("intro", intro))
        drawing.connect(tails, node)
        tails = [_Tail(node)]
    for step in flow.steps:
        tails = drawing.step(step, tails)
    if getattr(flow, "summary", False):
        notice = _msgid(getattr(flow, "confirm_notice", None))
        node = drawing.node("", "summary", "{{}}", _label("summary: confirm or edit", notice))
        drawing.connect(tails, node)
        tails = [_Tail(node, "confirm")]
    on_submit = getattr(flow, "on_submit", None)
    handler = _callable_name(on_submit) if on_submit else ""
    submit = drawing.node("", "submit", "[//]", _label("submit", handler))
    drawing.connect(tails, submit)
    for name in _next_flows(flow):
        drawing.connect([_Tail(submit)], drawing.node("next_", name, "[[]]", _label("next: " + name)))
    return drawing.text()


def description(flow: Any) -> str:
    """One line about the flow: its declared `description`, or its steps and what submit does."""
    if isinstance(declared := getattr(flow, "description", None), str) and declared.strip():
        return " ".join(declared.split())
    steps = list(flow.steps)
    extras = [f"{n} {word}" for n, word in (
        (sum(bool(getattr(s, "optional", False)) for s in steps), "optional"),
        (sum(getattr(s, "when", None) is not None for s in steps), "conditional"),
    ) if n]
    text = f"{len(steps)} step{'s' * (len(steps) != 1)}" + (f" ({', '.join(extras)})" if extras else "")
    if getattr(flow, "summary", False):
        text += ", then a summary to confirm"
    on_submit = getattr(flow, "on_submit", None)
    doc = _first_line(getattr(on_submit, "__doc__", None))
    return text + (f". On submit: {doc}" if doc else ".")


def page(flow: Any) -> str:
    """The Markdown page of one flow: a title, a line about it, the diagram."""
    return (f"# Flow `{flow.name}`\n\n{description(flow)}\n\n```mermaid\n{mermaid(flow)}```\n\n"
            f"{GENERATED}\n")


def filename(flow: Any) -> str:
    """The page's file name: `<flow name>.md`."""
    return re.sub(r"[^\w.-]", "_", str(flow.name), flags=re.ASCII) + ".md"


def index(flows: Sequence[Any]) -> str:
    """docs/flows/README.md: one row per flow, linking its page, and how to read the diagrams."""
    def cell(text: str) -> str:
        return text.replace("|", "\\|") or "—"

    rows = [f"| [{cell(str(f.name))}]({filename(f)}) | {len(list(f.steps))} | {cell(_entry(f))} "
            f"| {cell(_first_line(getattr(getattr(f, 'on_submit', None), '__doc__', None)))} |"
            for f in flows]
    return "\n".join([
        "# Conversation flows",
        "",
        "Each page is drawn from the flow's data (`handlers/registry.py`, `all_flows()`) by",
        "`make diagrams`; `tests/engine/test_flow_diagrams.py` fails when a page falls behind.",
        "",
        "| Flow | Steps | Started from | On submit |",
        "| --- | --- | --- | --- |",
        *rows,
        "",
        "How to read them: a box is a step (its id, its kind, the msgid of its question); a dashed",
        "box is optional, with a dotted `skip` edge; a diamond asks whether a step with `when=`",
        "applies (the edge says when); a red box is sensitive (left out of the summary); the",
        "hexagon is the summary the reporter confirms or edits; the slanted box is the submit",
        "handler. Where a submit hands over to another flow at run time (`Outcome.next_flow`), the",
        "diagram shows it only if the flow declares it.",
        "",
        GENERATED,
        "",
    ])


def render(flows: Sequence[Any]) -> dict[str, str]:
    """Every file of docs/flows/: file name -> text, in flow order, then README.md."""
    pages = {filename(f): page(f) for f in flows}
    if len(pages) != len(flows):
        raise ValueError("two flows share a page name")
    return {**pages, "README.md": index(flows)}


def generated_files(directory: Path) -> list[Path]:
    """The files in `directory` that this module wrote (they end with the generated mark)."""
    if not directory.is_dir():
        return []
    pages = directory.glob("*.md")
    return sorted(p for p in pages if p.read_text(encoding="utf-8").endswith(GENERATED + "\n"))


def load_flows(spec: str) -> list[Any]:
    """`package.module:function` -> the flows that function returns."""
    module, _, attr = spec.partition(":")
    factory: Callable[[], Iterable[Any]] = getattr(importlib.import_module(module), attr or "all_flows")
    return list(factory())


def write(directory: Path, flows: Sequence[Any]) -> list[Path]:
    """Write the pages and the index; drop pages of flows that no longer exist. The changed files."""
    directory.mkdir(parents=True, exist_ok=True)
    wanted = render(flows)
    changed = []
    for stale in generated_files(directory):
        if stale.name not in wanted:
            stale.unlink()
            changed.append(stale)
    for name, text in wanted.items():
        path = directory / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    return changed


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: write the diagrams into a folder (or, with --check, only compare)."""
    parser = argparse.ArgumentParser(prog="python -m handlers.engine.diagram",
                                     description=_first_line(__doc__))
    parser.add_argument("directory", type=Path, help="where the pages go, e.g. docs/flows")
    parser.add_argument("--flows", default=DEFAULT_FLOWS, help="module:function returning the flows")
    parser.add_argument("--check", action="store_true", help="exit 1 if the files differ; write nothing")
    args = parser.parse_args(argv)
    flows = load_flows(args.flows)
    if args.check:
        wanted = render(flows)
        have = {p.name: p.read_text(encoding="utf-8") for p in generated_files(args.directory)}
        differ = sorted(set(wanted) ^ set(have) | {n for n in wanted if have.get(n) != wanted[n]})
        for name in differ:
            print(f"{args.directory / name}: out of date (run `make diagrams`)", file=sys.stderr)
        return 1 if differ else 0
    for path in write(args.directory, flows):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
