"""The layers point one way: handlers know nothing of Telegram, WhatsApp or HTTP."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN_IN_HANDLERS = ("telegram", "aiohttp", "bot.channels", "httpx")
FORBIDDEN_IN_STORAGE = ("telegram", "aiohttp", "bot", "handlers")


def imports_of(path: Path) -> set[str]:
    """Every module a file imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def offending(folder: str, forbidden: tuple[str, ...]) -> list[str]:
    """Files in `folder` importing a forbidden module."""
    bad = []
    for path in (ROOT / folder).rglob("*.py"):
        for name in imports_of(path):
            if any(name == f or name.startswith(f + ".") for f in forbidden):
                bad.append(f"{path.relative_to(ROOT)} imports {name}")
    return bad


def test_handlers_do_not_import_channels_or_http_libraries():
    assert offending("handlers", FORBIDDEN_IN_HANDLERS) == []


def test_storage_does_not_import_upper_layers():
    assert offending("storage", FORBIDDEN_IN_STORAGE) == []
