"""The layers point one way, `bot -> handlers -> storage`, and no module imports itself back.

Every import counts, also one inside a function or under `TYPE_CHECKING`: a lazy import hides a
circle from Python, not from the reader.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("bot", "handlers", "storage")
FORBIDDEN_IN_HANDLERS = ("bot", "telegram", "aiohttp", "httpx", "aiosmtplib", "prometheus_client")
FORBIDDEN_IN_STORAGE = ("bot", "handlers", "telegram", "aiohttp", "httpx")


def module_name(path: Path) -> str:
    """`bot/channels/telegram/send.py` -> `bot.channels.telegram.send` (a package is its folder)."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    """Every absolute module name a file imports (`from a import b` counts `a` and `a.b`)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{a.name}" for a in node.names}
    return names


def sources() -> dict[str, Path]:
    """Module name -> file, for the three layers."""
    return {module_name(p): p for layer in LAYERS for p in (ROOT / layer).rglob("*.py")}


def graph() -> dict[str, set[str]]:
    """Module -> the project modules it imports (names that are not modules are dropped)."""
    known = sources()
    return {name: {n for n in imports_of(path) if n in known and n != name}
            for name, path in known.items()}


def offending(folder: str, forbidden: tuple[str, ...]) -> list[str]:
    """Files in `folder` importing a forbidden module."""
    bad = []
    for path in (ROOT / folder).rglob("*.py"):
        for name in sorted(imports_of(path)):
            if any(name == f or name.startswith(f + ".") for f in forbidden):
                bad.append(f"{path.relative_to(ROOT)} imports {name}")
    return bad


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in edges.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_handlers_never_import_bot_channels_or_http_libraries():
    assert offending("handlers", FORBIDDEN_IN_HANDLERS) == []


def test_storage_does_not_import_upper_layers():
    assert offending("storage", FORBIDDEN_IN_STORAGE) == []


def test_no_import_circle_anywhere():
    assert cycles(graph()) == []


def test_the_circle_finder_finds_a_circle():
    """Guards the test above against a finder that can never find anything."""
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
