"""What every `wbs` sub-command shares: its type, how a group registers, and `with_app`."""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any

from bot.settings import Settings

if TYPE_CHECKING:
    from bot.app import App

#: A sub-command: parsed arguments and settings in, exit status out.
Command = Callable[[argparse.Namespace, Settings], Coroutine[Any, Any, int]]
#: The parser's sub-command table (argparse keeps the class private).
Subparsers = argparse._SubParsersAction
#: A group's `register(sub, commands)`: adds its parsers and its table entries.
Register = Callable[[Subparsers, dict[str, Command]], None]


async def with_app(settings: Settings, work: Callable[[App], Awaitable[int]]) -> int:
    """Run `work(app)` on a freshly built app (migrated database, keys) and close it after."""
    from bot.app import build_app  # noqa: PLC0415 - keep `wbs --help` fast

    app = await build_app(settings)
    try:
        return await work(app)
    finally:
        await app.close()

