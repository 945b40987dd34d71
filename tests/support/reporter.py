"""A reporter talking to the engine the way a channel would: text, option ids, files."""

from __future__ import annotations

import uuid

from handlers.engine.engine import Engine
from handlers.engine.types import Attachment, ChannelKind, Inbound, Outbound


class Reporter:
    """Sends inputs to the engine and keeps the last replies."""

    def __init__(self, engine: Engine, *, channel: ChannelKind = ChannelKind.CONSOLE,
                 handle: str | None = None, language: str | None = None) -> None:
        self.engine = engine
        self.channel = channel
        self.handle = handle or uuid.uuid4().hex
        self.language = language
        self.replies: list[Outbound] = []

    @property
    def digest(self) -> str:
        """The HMAC under which the engine keeps this reporter's conversation."""
        return self.engine.digest(Inbound(self.channel, self.handle))

    @property
    def text(self) -> str:
        """All text of the last replies."""
        return "\n".join(m.text for m in self.replies)

    @property
    def options(self) -> dict[str, str]:
        """Option id -> label of the last reply that offered options."""
        for message in reversed(self.replies):
            if message.options:
                return {o.id: o.label for o in message.options}
        return {}

    async def send(self, inbound: Inbound) -> list[Outbound]:
        """Send a raw inbound."""
        self.replies = await self.engine.handle(inbound)
        return self.replies

    async def say(self, text: str) -> list[Outbound]:
        """Type a line."""
        return await self.send(Inbound(self.channel, self.handle, text=text,
                                       language_hint=self.language))

    async def choose(self, option: str) -> list[Outbound]:
        """Press the option with this id (it must be on offer, as on a real keyboard)."""
        assert option in self.options, f"{option!r} not offered; offered: {list(self.options)}"
        return await self.send(Inbound(self.channel, self.handle, option=option,
                                       language_hint=self.language))

    async def attach(self, name: str, content_type: str, data: bytes) -> list[Outbound]:
        """Send a file."""
        return await self.send(Inbound(self.channel, self.handle, attachments=(
            Attachment(filename=name, content_type=content_type, data=data),)))
