"""Files typed as paths in the terminal are cleaned like on the chat channels."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from bot.app import App
from bot.channels.console import ConsoleChat
from bot.media import MediaError

ARTIST = 315  # EXIF tag


def photo_with_exif(path: Path) -> Path:
    image = Image.new("RGB", (64, 48), "teal")
    exif = Image.Exif()
    exif[ARTIST] = "Budi Santoso Zorkmatic"
    image.save(path, "JPEG", exif=exif.tobytes())
    return path


async def test_a_photo_path_arrives_without_exif_and_without_its_file_name(app: App, tmp_path: Path):
    chat = ConsoleChat(app, out=lambda _text: None)
    inbound = await chat.to_inbound(str(photo_with_exif(tmp_path / "budi-santoso-kantor.jpg")))

    assert not isinstance(inbound, MediaError)
    [attachment] = inbound.attachments
    assert "budi" not in attachment.filename.lower()
    assert b"Zorkmatic" not in attachment.data
    assert not Image.open(io.BytesIO(attachment.data)).getexif()


async def test_an_image_bomb_path_is_refused_with_a_message(app: App, tmp_path: Path):
    bomb = tmp_path / "bomb.png"
    Image.new("1", (7000, 7000)).save(bomb, "PNG")
    printed: list[str] = []
    chat = ConsoleChat(app, out=printed.append)

    await chat.send(str(bomb))

    assert any("megapiksel" in line for line in printed)
