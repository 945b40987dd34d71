"""Conversation state per reporter: flow, step, sealed draft; optimistic version check."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.crypto import Keyring, seal_ephemeral, unseal_ephemeral
from storage.models import Conversation, DraftAttachment
from storage.models.conversation import CONVERSATION_STATE
from storage.upsert import insert_ignore


class ConcurrentUpdateError(Exception):
    """Another worker changed this conversation since we loaded it; reload and retry."""


@dataclass
class ConversationState:
    """The decrypted conversation: where the reporter is and what they have typed so far."""

    digest: str
    channel: str
    lang: str
    flow: str | None = None
    step: str | None = None
    draft: dict[str, Any] = field(default_factory=dict)
    history: list[str] = field(default_factory=list)
    context: dict[str, Any] = field(default_factory=dict)
    version: int = 0
    expires_at: datetime | None = None
    last_inbound_at: datetime | None = None

    def reset(self) -> None:
        """Leave any flow and forget the draft."""
        self.flow = self.step = None
        self.draft, self.history, self.context = {}, [], {}
        self.expires_at = None


async def load_conversation(
    *, session: AsyncSession, ring: Keyring, digest: str
) -> ConversationState | None:
    """The conversation for this reporter digest, decrypted, or None if new."""
    row = await session.get(Conversation, digest)
    if row is None:
        return None
    state: dict[str, Any] = {}
    if row.state:
        state = json.loads(unseal_ephemeral(ring, row.state, contract=CONVERSATION_STATE,
                                            row_id=digest))
    return ConversationState(
        digest=digest, channel=row.channel, lang=row.lang, flow=row.flow, step=row.step,
        draft=state.get("draft", {}), history=state.get("history", []),
        context=state.get("context", {}), version=row.version, expires_at=row.expires_at,
        last_inbound_at=row.last_inbound_at,
    )


async def save_conversation(
    *, session: AsyncSession, ring: Keyring, conv: ConversationState, now: datetime
) -> None:
    """Write the state if nobody else did since it was loaded; bumps `conv.version`."""
    payload = {"draft": conv.draft, "history": conv.history, "context": conv.context}
    sealed = None
    if conv.flow or conv.draft or conv.context:
        sealed = seal_ephemeral(ring, json.dumps(payload, ensure_ascii=False).encode(),
                                contract=CONVERSATION_STATE, row_id=conv.digest)
    values = {"channel": conv.channel, "lang": conv.lang, "flow": conv.flow, "step": conv.step,
              "state": sealed, "updated_at": now, "expires_at": conv.expires_at,
              "last_inbound_at": conv.last_inbound_at, "version": conv.version + 1}
    if conv.version == 0:
        inserted = await insert_ignore(session, Conversation, {"digest": conv.digest, **values})
        if not inserted:
            raise ConcurrentUpdateError(conv.digest[:8])
    else:
        result = await session.execute(
            update(Conversation)
            .where(Conversation.digest == conv.digest, Conversation.version == conv.version)
            .values(**values)
        )
        if result.rowcount != 1:
            raise ConcurrentUpdateError(conv.digest[:8])
    conv.version += 1


async def expire_drafts(*, session: AsyncSession, now: datetime) -> int:
    """Delete drafts (and their files) whose time ran out; returns how many."""
    digests = list((await session.execute(
        select(Conversation.digest).where(Conversation.expires_at.is_not(None),
                                          Conversation.expires_at <= now)
    )).scalars())
    if not digests:
        return 0
    await session.execute(delete(DraftAttachment).where(DraftAttachment.digest.in_(digests)))
    await session.execute(
        update(Conversation).where(Conversation.digest.in_(digests)).values(
            flow=None, step=None, state=None, expires_at=None,
            version=Conversation.version + 1, updated_at=now)
    )
    return len(digests)
