"""The terminal channel (`wbs chat`): numbered options, slash commands, file paths as files."""

from __future__ import annotations

import asyncio
import mimetypes
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from bot.app import App
from bot.media import strip_metadata
from handlers.engine.types import Attachment, ChannelKind, Inbound, Option, Outbound

Output = Callable[[str], None]


def _write(text: str, stream: TextIO = sys.stdout) -> None:
    stream.write(text + "\n")
    stream.flush()


class ConsoleChat:
    """One terminal session is one reporter; `session` resumes an earlier one."""

    def __init__(self, app: App, *, session: str | None = None, out: Output = _write) -> None:
        self.app = app
        self.handle = session or uuid.uuid4().hex
        self.out = out
        self.options: tuple[Option, ...] = ()

    def render(self, messages: list[Outbound]) -> None:
        """Print messages; options are numbered and remembered for the next line."""
        for message in messages:
            self.out("")
            self.out(message.text)
            if message.options:
                for n, option in enumerate(message.options, 1):
                    self.out(f"  {n}. {option.label}")
                self.options = message.options
        self.out("")

    def to_inbound(self, line: str) -> Inbound:
        """A typed line as a neutral input: a number or label picks an option."""
        text = line.strip()
        choice = None
        if text.isdigit() and 1 <= int(text) <= len(self.options):
            choice = self.options[int(text) - 1].id
        else:
            choice = next((o.id for o in self.options if o.label.lower() == text.lower()), None)
        attachments = self._file(text)
        return Inbound(channel=ChannelKind.CONSOLE, handle=self.handle,
                       text=None if (choice or attachments) else text, option=choice,
                       attachments=attachments)

    def _file(self, text: str) -> tuple[Attachment, ...]:
        if not text or len(text) > 4096:
            return ()
        path = Path(text).expanduser()
        try:
            if not path.is_file():
                return ()
            limit = int(self.app.settings.conversations.max_attachment_mb * 1024 * 1024)
            data = path.read_bytes()[: limit + 1]
        except OSError:
            return ()
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        # the engine checks type and size; images lose their EXIF/GPS here, as on Telegram
        return (Attachment(filename=path.name, content_type=content_type,
                           data=strip_metadata(data, content_type)),)

    async def send(self, line: str) -> None:
        """Handle one typed line and print the replies."""
        self.render(await self.app.engine.handle(self.to_inbound(line)))

    async def run(self, stdin: TextIO = sys.stdin) -> None:
        """Read lines until end of input (Ctrl-D)."""
        await self.send("/start")
        loop = asyncio.get_running_loop()
        interactive = stdin.isatty()
        while True:
            if interactive:
                sys.stdout.write("> ")
                sys.stdout.flush()
            line = await loop.run_in_executor(None, stdin.readline)
            if not line:
                break
            if line.strip():
                await self.send(line)
        self.out("")
