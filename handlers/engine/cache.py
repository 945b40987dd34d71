"""Recently used conversations kept in memory, so a turn need not read its own state back.

Safe with several workers: a stale entry fails the version check when the turn is saved,
the entry is dropped, and the turn is run again on the state read from the database."""

from __future__ import annotations

import json
from collections import OrderedDict
from dataclasses import fields

from storage.conversations import ConversationState


class ConversationCache:
    """A bounded LRU of conversation snapshots (JSON, so a failed turn cannot leak into it)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[str, str] = OrderedDict()

    def get(self, digest: str) -> ConversationState | None:
        """A fresh copy of the cached state, or None."""
        snapshot = self._entries.get(digest)
        if snapshot is None:
            return None
        self._entries.move_to_end(digest)
        return ConversationState.from_snapshot(json.loads(snapshot))

    def put(self, conv: ConversationState) -> None:
        """Remember the state as committed."""
        if self.size <= 0:
            return
        # a shallow dict: json.dumps copies the nested draft anyway (asdict's deep copy first
        # cost as much as the rest of the turn's bookkeeping)
        snapshot = {f.name: getattr(conv, f.name) for f in fields(conv)}
        self._entries[conv.digest] = json.dumps(snapshot, default=str)
        self._entries.move_to_end(conv.digest)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def drop(self, digest: str) -> None:
        """Forget a conversation (its turn failed or another worker changed it)."""
        self._entries.pop(digest, None)

    def __len__(self) -> int:
        return len(self._entries)
