"""Rendering neutral messages for Telegram: long texts split, options as inline keyboards."""

from __future__ import annotations

from bot.channels.telegram.render import (
    MAX_TEXT,
    callback_data,
    chunks,
    keyboard,
    resolve_callback,
    split_text,
)
from handlers.engine.types import Option


def test_long_text_is_split_under_telegrams_limit_without_losing_words():
    paragraph = " ".join(["kronologi"] * 60)  # ~600 characters
    text = "\n\n".join([paragraph] * 20)  # ~12,000 characters

    parts = split_text(text)

    assert len(parts) > 2
    assert all(0 < len(p) < MAX_TEXT for p in parts)
    assert " ".join(" ".join(parts).split()) == " ".join(text.split())


def test_text_without_spaces_is_still_split():
    parts = split_text("x" * 9000)

    assert [len(p) for p in parts] == [4000, 4000, 1000]


def test_short_text_stays_one_message():
    assert split_text("Terima kasih.") == ["Terima kasih."]


def test_keyboard_sits_under_the_last_part_only():
    result = chunks("a " * 5000, [Option("nav:done", "Selesai")])

    assert [c.keyboard is not None for c in result] == [False, False, True]


def test_short_labels_share_a_row_and_long_ones_stand_alone():
    markup = keyboard([
        Option("yes", "Ya"), Option("no", "Tidak"),
        Option("cat:abuse", "Penyalahgunaan wewenang"), Option("back", "Kembali"),
    ])

    assert markup is not None
    rows = [[b["text"] for b in row] for row in markup["inline_keyboard"]]
    assert rows == [["Ya", "Tidak"], ["Penyalahgunaan wewenang"], ["Kembali"]]


def test_callback_data_never_exceeds_64_bytes_and_resolves_back():
    long_id = "kategori:" + "é" * 40  # 89 bytes in UTF-8
    offered = ["cat:pungli", long_id]

    data = [callback_data(option_id, i) for i, option_id in enumerate(offered)]

    assert data == ["cat:pungli", "#1"]
    assert all(len(d.encode()) <= 64 for d in data)
    assert [resolve_callback(d, offered) for d in data] == offered


def test_button_from_another_keyboard_resolves_to_nothing():
    assert resolve_callback("cat:pungli", ["yes", "no"]) is None
    assert resolve_callback("#7", ["yes", "no"]) is None
    assert resolve_callback("#x", ["yes", "no"]) is None
