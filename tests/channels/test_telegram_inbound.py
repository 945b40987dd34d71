"""Which updates take the reporters' fast path (read from the JSON) and which go through PTB:
both paths must see the same update the same way, or a replay after a crash would not be
recognised as the update already stored."""

from __future__ import annotations

import re
from typing import Any

import pytest
from telegram import Bot, Update

from bot.channels.telegram.receive import (
    Press,
    Typed,
    citizen_input,
    external_id,
    press_of,
    typed_of,
)
from storage.crypto import Keyring

CLAIMED = (re.compile(r"^(st|lh|sm):"),)
BOT = Bot("123:abc")


def chat(kind: str = "private", chat_id: int = 4242) -> dict[str, Any]:
    return {"id": chat_id, "type": kind, **({"first_name": "Ani"} if kind == "private" else
                                             {"title": "Tim UPG"})}


def text_update(text: str, **message: Any) -> dict[str, Any]:
    return {"update_id": 7, "message": {
        "message_id": 31, "date": 1_767_225_600, "chat": chat(),
        "from": {"id": 4242, "is_bot": False, "first_name": "Ani", "language_code": "en"},
        "text": text, **message}}


def press_update(data: str, **message: Any) -> dict[str, Any]:
    return {"update_id": 8, "callback_query": {
        "id": "998877", "chat_instance": "ci", "data": data,
        "from": {"id": 4242, "is_bot": False, "first_name": "Ani", "language_code": "id"},
        "message": {"message_id": 30, "date": 1_767_225_600, "chat": chat(),
                    "from": {"id": 123, "is_bot": True, "first_name": "WBS"},
                    "text": "Pilih kategori:",
                    "reply_markup": {"inline_keyboard": [
                        [{"text": "Pungli", "callback_data": "cat:pungli"},
                         {"text": "Lainnya", "callback_data": "cat:other"}]]},
                    **message}}}


def through_ptb(raw: dict[str, Any]) -> Typed | Press | None:
    update = Update.de_json(raw, BOT)
    if update.callback_query is not None:
        return press_of(update)
    return typed_of(update, update.message) if update.message else None


@pytest.mark.parametrize("raw", [
    text_update("Saya ingin melapor pungli di loket 3"),
    press_update("cat:pungli"),
    press_update("#2"),
])
def test_fast_path_reads_the_same_update_as_ptb(raw: dict[str, Any]):
    fast = citizen_input(raw, CLAIMED)

    assert fast is not None
    assert fast == through_ptb(raw)
    ring = Keyring.generate()
    assert external_id(ring, fast) == external_id(ring, Update.de_json(raw, BOT))


def test_a_press_shows_the_label_of_its_button():
    press = citizen_input(press_update("cat:other"), CLAIMED)

    assert isinstance(press, Press)
    assert press.buttons == (("Pungli", "cat:pungli"), ("Lainnya", "cat:other"))
    assert (press.lang_hint, press.chat_id, press.message_id) == ("id", 4242, 30)


@pytest.mark.parametrize("raw", [
    text_update("/start"),  # commands: officers' handlers see them too
    text_update("/lihat WBS-2345-6789"),
    text_update("", photo=[{"file_id": "f", "file_unique_id": "u", "width": 1, "height": 1}]),
    text_update("bukti", reply_to_message={"message_id": 1, "date": 0, "chat": chat()}),
    {**text_update("halo"), "message": {**text_update("halo")["message"],
                                        "chat": chat("supergroup", -100)}},
    press_update("st:WBS-2345-6789:proses"),  # an officer's status button
    press_update("cat:pungli", date=0),  # a message too old to be shown
    press_update("cat:pungli", reply_markup={"inline_keyboard": "not rows"}),
    {"update_id": 9, "edited_message": text_update("halo")["message"]},
    {"update_id": "9", "message": text_update("halo")["message"]},
    {"update_id": 9, "message": {**text_update("halo")["message"], "chat": {"id": "x"}}},
    {"update_id": 9, "callback_query": {"id": 5, "data": "cat:pungli"}},
])
def test_anything_else_is_left_to_ptb(raw: dict[str, Any]):
    assert citizen_input(raw, CLAIMED) is None
