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
from bot.media import DEFAULT_ALLOWED, MediaError, clean_off_loop
from handlers.engine.types import Attachment, ChannelKind, Inbound, Option, Outbound
from handlers.i18n import t

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

    async def to_inbound(self, line: str) -> Inbound | MediaError:
        """A typed line as a neutral input: a number or label picks an option, a path a file."""
        text = line.strip()
        choice = None
        if text.isdigit() and 1 <= int(text) <= len(self.options):
            choice = self.options[int(text) - 1].id
        else:
            choice = next((o.id for o in self.options if o.label.lower() == text.lower()), None)
        attachments = await self._file(text)
        if isinstance(attachments, MediaError):
            return attachments
        return Inbound(channel=ChannelKind.CONSOLE, handle=self.handle,
                       text=None if (choice or attachments) else text, option=choice,
                       attachments=attachments)

    async def _file(self, text: str) -> tuple[Attachment, ...] | MediaError:
        if not text or len(text) > 4096:
            return ()
        path = Path(text).expanduser()
        limit = int(self.app.settings.conversations.max_attachment_mb * 1024 * 1024)
        try:
            if not path.is_file():
                return ()
            data = path.read_bytes()[: limit + 1]
        except OSError:
            return ()
        # as on Telegram and WhatsApp: type sniffed, images re-encoded off the event loop (no
        # EXIF/GPS, bombs refused), and a neutral file name — the path never reaches storage
        cleaned = await clean_off_loop(data, mimetypes.guess_type(path.name)[0], max_bytes=limit,
                                       allowed=DEFAULT_ALLOWED)
        return cleaned if isinstance(cleaned, MediaError) else (cleaned,)

    async def send(self, line: str) -> None:
        """Handle one typed line and print the replies."""
        inbound = await self.to_inbound(line)
        if isinstance(inbound, MediaError):
            lang = self.app.settings.office.default_language
            self.render([Outbound(t(lang, inbound.key, **inbound.params))])
            return
        self.render(await self.app.engine.handle(inbound))

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
