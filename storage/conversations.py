"""Conversation state per reporter: flow, step, sealed draft; optimistic version check."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, bindparam, cast, column, delete, select, update, values
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session
from sqlmodel import col

from storage.crypto import Keyring, seal_ephemeral, unseal_ephemeral
from storage.deferred import defer
from storage.models import Conversation, DraftAttachment
from storage.models.base import table_of
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
    last_inbox: str | None = None  # the update whose answers the last turn recorded

    @classmethod
    def from_snapshot(cls, data: dict[str, Any]) -> ConversationState:
        """Rebuild from a snapshot of the fields whose datetimes were written with str()."""
        for name in ("expires_at", "last_inbound_at"):
            if data.get(name):
                data[name] = datetime.fromisoformat(data[name])
        return cls(**data)

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
        context=state.get("context", {}), last_inbox=state.get("last_inbox"),
        version=row.version, expires_at=row.expires_at,
        last_inbound_at=row.last_inbound_at,
    )


async def save_conversation(
    *, session: AsyncSession, ring: Keyring, conv: ConversationState, now: datetime
) -> None:
    """Write the state if nobody else did since it was loaded (version `conv.version`).

    Updates are sent together at commit (storage.deferred); the commit fails with
    ConcurrentUpdateError if another worker saved any of them first. The caller bumps
    `conv.version` once the commit succeeded."""
    payload = {"draft": conv.draft, "history": conv.history, "context": conv.context,
               "last_inbox": conv.last_inbox}
    sealed = None
    if conv.flow or conv.draft or conv.context or conv.last_inbox:
        sealed = seal_ephemeral(ring, json.dumps(payload, ensure_ascii=False).encode(),
                                contract=CONVERSATION_STATE, row_id=conv.digest)
    row = {"channel": conv.channel, "lang": conv.lang, "flow": conv.flow, "step": conv.step,
           "state": sealed, "updated_at": now, "expires_at": conv.expires_at,
           "last_inbound_at": conv.last_inbound_at, "version": conv.version + 1}
    if conv.version == 0:
        inserted = await insert_ignore(session, Conversation, {"digest": conv.digest, **row})
        if not inserted:
            raise ConcurrentUpdateError(conv.digest[:8])
        return
    defer(session, "conversation", _update_conversations,
          {"digest": conv.digest, "expected": conv.version, **row})


_COLUMNS = ("digest", "expected", "channel", "lang", "flow", "step", "state", "updated_at",
            "expires_at", "last_inbound_at", "version")


def _update_conversations(session: Session, rows: list[dict[str, Any]]) -> None:
    """Save every conversation of this commit in one statement; fail if any was changed."""
    table, conn = table_of(Conversation), session.connection()
    if conn.dialect.name == "sqlite":  # executemany reports the total of rows it changed
        stmt = (update(table)
                .where(table.c.digest == bindparam("b_digest"),
                       table.c.version == bindparam("b_expected"))
                .values({name: bindparam(name, type_=table.c[name].type)
                         for name in _COLUMNS[2:]}))
        params = [{**r, "b_digest": r["digest"], "b_expected": r["expected"]} for r in rows]
        if conn.execute(stmt, params).rowcount != len(rows):
            raise ConcurrentUpdateError("a conversation changed meanwhile")
        return
    # PostgreSQL: UPDATE ... FROM (VALUES ...) RETURNING names exactly which rows were saved
    types = {"expected": Integer(), **{c.name: c.type for c in table.c}}
    source = values(*(column(name, types[name]) for name in _COLUMNS),
                    name="incoming").data([tuple(r[name] for name in _COLUMNS) for r in rows])
    stmt = (update(table)
            .where(table.c.digest == source.c.digest, table.c.version == source.c.expected)
            # a column that is NULL in every row arrives untyped: say what it is
            .values({name: cast(source.c[name], table.c[name].type) for name in _COLUMNS[2:]})
            .returning(table.c.digest))
    saved = set(conn.execute(stmt).scalars())
    if lost := {r["digest"] for r in rows} - saved:
        raise ConcurrentUpdateError(f"{len(lost)} conversation(s) changed meanwhile")


async def expire_drafts(*, session: AsyncSession, now: datetime) -> int:
    """Delete drafts (and their files) whose time ran out; returns how many."""
    digests = list((await session.execute(
        select(col(Conversation.digest)).where(col(Conversation.expires_at).is_not(None),
                                               col(Conversation.expires_at) <= now)
    )).scalars())
    if not digests:
        return 0
    await session.execute(delete(DraftAttachment).where(col(DraftAttachment.digest).in_(digests)))
    await session.execute(
        update(Conversation).where(col(Conversation.digest).in_(digests)).values(
            flow=None, step=None, state=None, expires_at=None,
            version=col(Conversation.version) + 1, updated_at=now)
    )
    return len(digests)
