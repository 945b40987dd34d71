"""Rendering neutral Outbound messages for WhatsApp, checked against Meta's limits."""

from __future__ import annotations

import pytest

from bot.channels.whatsapp.render import numbered_ids, render, split_text, typed_number
from handlers.engine.types import Attachment, Option, Outbound
from tests.fakes.graph_api import validate_message

CATEGORIES = tuple(
    Option(id=f"c{n}", label=label)
    for n, label in enumerate(
        [
            "Pungli",
            "Suap",
            "Pemerasan",
            "Gratifikasi",
            "Calo",
            "Penyalahgunaan wewenang",
            "Benturan kepentingan",
            "Pelanggaran kode etik/disiplin",
            "Pelayanan buruk",
            "Lainnya",
            "Pelanggaran pengadaan",
            "Nepotisme",
        ]
    )
)


def _valid(messages):
    for message in messages:
        if isinstance(message, dict):
            assert validate_message({"messaging_product": "whatsapp", "to": "1", **message}) is None
    return messages


def _words(text):
    return text.split()


def test_up_to_three_short_options_become_reply_buttons():
    out = Outbound("Kirim laporan?", options=(Option("yes", "Ya"), Option("no", "Tidak")))

    (message,) = _valid(render(out, "id"))

    assert message["interactive"]["type"] == "button"
    assert message["interactive"]["body"]["text"] == "Kirim laporan?"
    buttons = message["interactive"]["action"]["buttons"]
    assert [(b["reply"]["id"], b["reply"]["title"]) for b in buttons] == [
        ("yes", "Ya"),
        ("no", "Tidak"),
    ]


def test_three_options_with_a_long_label_use_a_list_instead_of_cutting_the_button():
    options = (Option("a", "Ya"), Option("b", "Tidak"), Option("c", "Ubah data sebelum kirim"))

    (message,) = _valid(render(Outbound("Lanjut?", options=options), "id"))

    assert message["interactive"]["type"] == "list"


def test_four_to_ten_options_become_a_list_with_a_localised_button():
    out = Outbound("Pilih kategori", options=CATEGORIES[:10])

    (message,) = _valid(render(out, "id"))

    assert message["interactive"]["type"] == "list"
    assert message["interactive"]["action"]["button"] == "Pilih"
    rows = message["interactive"]["action"]["sections"][0]["rows"]
    assert [r["id"] for r in rows] == [o.id for o in CATEGORIES[:10]]


def test_list_button_follows_the_language():
    (message,) = render(Outbound("Choose", options=CATEGORIES[:5]), "en")

    assert message["interactive"]["action"]["button"] == "Choose"


def test_long_row_titles_are_shortened_and_the_full_label_kept_as_description():
    (message,) = _valid(render(Outbound("Pilih kategori", options=CATEGORIES[:10]), "id"))

    row = message["interactive"]["action"]["sections"][0]["rows"][7]
    assert len(row["title"]) <= 24
    assert row["title"].endswith("…")
    assert row["description"] == "Pelanggaran kode etik/disiplin"


def test_option_descriptions_are_kept_within_72_characters():
    options = (Option("a", "A", description="d" * 100), *CATEGORIES[:4])

    (message,) = _valid(render(Outbound("Pilih", options=options), "id"))

    assert len(message["interactive"]["action"]["sections"][0]["rows"][0]["description"]) <= 72


def test_more_than_ten_options_become_numbered_text():
    (message,) = _valid(render(Outbound("Pilih kategori", options=CATEGORIES), "id"))

    body = message["text"]["body"]
    assert body.startswith("Pilih kategori")
    assert "1. Pungli" in body
    assert "12. Nepotisme" in body
    assert "nomor" in body


def test_numbered_reply_is_read_back_as_the_option():
    ids = numbered_ids(Outbound("Pilih kategori", options=CATEGORIES))

    assert typed_number("12", ids) == "c11"
    assert typed_number(" 3. ", ids) == "c2"


def test_buttons_and_lists_are_not_numbered():
    assert numbered_ids(Outbound("Pilih", options=CATEGORIES[:10])) == ()


@pytest.mark.parametrize("text", ["0", "13", "tiga", "", None, "1 2", "Calo"])
def test_typed_text_that_names_no_number_is_not_a_choice(text):
    assert typed_number(text, tuple(o.id for o in CATEGORIES)) is None


def test_plain_text_longer_than_4096_is_split_without_losing_words():
    text = " ".join(f"kata{n}" for n in range(2000))  # ~17,800 characters

    messages = _valid(render(Outbound(text), "id"))

    assert len(messages) == 5
    assert all(m["type"] == "text" for m in messages)
    assert _words(" ".join(m["text"]["body"] for m in messages)) == _words(text)


def test_long_text_with_options_sends_the_head_first_and_keeps_the_body_under_1024():
    paragraphs = [f"Paragraf {n}. " + "isi laporan " * 20 for n in range(12)]
    text = "\n\n".join(paragraphs)

    messages = _valid(render(Outbound(text, options=CATEGORIES[:2]), "id"))

    *heads, interactive = messages
    assert heads
    assert all(m["type"] == "text" for m in heads)
    assert interactive["type"] == "interactive"
    body = interactive["interactive"]["body"]["text"]
    assert len(body) <= 1024
    assert body.startswith("Paragraf")  # cut at a paragraph boundary
    sent = " ".join([*(m["text"]["body"] for m in heads), body])
    assert _words(sent) == _words(text)


def test_split_text_prefers_paragraph_boundaries():
    text = "a" * 3000 + "\n\n" + "b" * 3000

    assert split_text(text) == ["a" * 3000, "b" * 3000]


def test_split_text_cuts_unbroken_text_at_the_limit():
    assert split_text("x" * 9000) == ["x" * 4096, "x" * 4096, "x" * 808]


def test_attachments_are_handed_over_before_the_text():
    receipt = Attachment("tanda-terima.pdf", "application/pdf", b"%PDF")

    first, second = render(Outbound("Tanda terima", attachments=(receipt,)), "id")

    assert first is receipt
    assert second["text"]["body"] == "Tanda terima"
