"""Telegram chat bookkeeping: the records of many chats in one group commit each land on their
own chat, in order, with the keyboard that chat was last shown."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.app import App
from storage.telegram_chats import chat_view, record_messages, take_transcript


async def test_records_of_many_chats_in_one_commit_keep_each_chat_apart(app: App):
    now = app.services.clock()
    digests = [f"{i:064x}" for i in range(30)]
    await app.db.write(lambda s: record_messages(session=s, digest=digests[0], message_ids=[1],
                                                 now=now, keyboard=(1, ["a", "b"])))

    # every chat records twice at once: ids, then a keyboard (the first chat's is cleared)
    await asyncio.gather(*(app.db.write(
        lambda s, d=d, i=i: record_messages(session=s, digest=d, message_ids=[100 + i],
                                            now=now)) for i, d in enumerate(digests)),
        *(app.db.write(lambda s, d=d, i=i: record_messages(
            session=s, digest=d, message_ids=[200 + i], now=now,
            keyboard=None if i == 0 else (200 + i, [f"opt{i}"]), clear_keyboard=i == 0))
          for i, d in enumerate(digests)))

    first = await app.db.read(lambda s: chat_view(session=s, digest=digests[0]))
    assert (first.keyboard_message_id, first.keyboard) == (None, ())
    for i, digest in enumerate(digests[1:], start=1):
        view = await app.db.read(lambda s, d=digest: chat_view(session=s, digest=d))
        assert (view.keyboard_message_id, view.keyboard) == (200 + i, (f"opt{i}",))
    later = now + timedelta(minutes=1)
    for i, digest in enumerate(digests):
        ids = await app.db.write(lambda s, d=digest: take_transcript(session=s, digest=d,
                                                                     now=later))
        assert ids == ([1] if i == 0 else []) + [100 + i, 200 + i]


async def test_ids_older_than_telegram_lets_bots_delete_are_forgotten(app: App):
    now, digest = app.services.clock(), "f" * 64
    await app.db.write(lambda s: record_messages(session=s, digest=digest, message_ids=[7],
                                                 now=now - timedelta(hours=49)))
    await app.db.write(lambda s: record_messages(session=s, digest=digest, message_ids=[8],
                                                 now=now))
    assert await app.db.write(lambda s: take_transcript(session=s, digest=digest, now=now)) == [8]
    assert await app.db.write(lambda s: take_transcript(session=s, digest=digest, now=now)) == []
