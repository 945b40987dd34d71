"""Attachment cleaning (bot/media.py) used by the Telegram channel: limits and metadata removal."""

from __future__ import annotations

from io import BytesIO

import pytest
from PIL import ExifTags, Image, PngImagePlugin

from bot.media import MediaError, clean_attachment

ALLOWED = ("image/jpeg", "image/png", "image/webp", "application/pdf", "audio/ogg")
GPS = {1: "S", 2: (6.0, 10.0, 30.0), 3: "E", 4: (106.0, 49.0, 0.0)}


def photo_with_exif(*, orientation: int = 1, size: tuple[int, int] = (40, 20)) -> bytes:
    """A JPEG as a phone writes it: camera model, GPS position and an orientation tag."""
    exif = Image.Exif()
    exif[0x0110] = "Pixel 7"  # Model
    exif[0x0112] = orientation
    exif[ExifTags.IFD.GPSInfo] = GPS
    out = BytesIO()
    Image.new("RGB", size, (200, 10, 10)).save(out, "JPEG", exif=exif)
    return out.getvalue()


def clean(data: bytes, claimed: str | None = "image/jpeg", max_bytes: int = 1024 * 1024):
    return clean_attachment(data, claimed, max_bytes=max_bytes, allowed=ALLOWED)


def test_photo_loses_gps_and_camera_model_but_keeps_its_picture():
    original = photo_with_exif()
    assert Image.open(BytesIO(original)).getexif().get_ifd(ExifTags.IFD.GPSInfo) == GPS

    result = clean(original)

    cleaned = Image.open(BytesIO(result.data))
    assert dict(cleaned.getexif()) == {}
    assert b"Exif" not in result.data
    assert b"Pixel 7" not in result.data
    assert cleaned.size == (40, 20)
    assert cleaned.getpixel((20, 10))[0] > 150  # still the red picture
    assert (result.filename, result.content_type) == ("lampiran.jpg", "image/jpeg")


def test_sideways_phone_photo_stays_upright_after_cleaning():
    result = clean(photo_with_exif(orientation=6, size=(40, 20)))

    assert Image.open(BytesIO(result.data)).size == (20, 40)


def test_png_text_chunks_are_dropped():
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Budi Santoso")
    out = BytesIO()
    Image.new("RGBA", (10, 10), (0, 0, 255, 128)).save(out, "PNG", pnginfo=info)

    result = clean(out.getvalue(), "image/png")

    assert b"Budi Santoso" not in result.data
    assert Image.open(BytesIO(result.data)).mode == "RGBA"


def test_type_comes_from_the_bytes_not_from_the_claim():
    result = clean(b"MZ\x90\x00 this is a windows program", "image/jpeg")

    assert result == MediaError("common.error.file_type")


def test_pdf_is_kept_byte_for_byte_under_a_neutral_name():
    pdf = b"%PDF-1.4\n% kuitansi pungli\n%%EOF\n"

    result = clean(pdf, "application/pdf")

    assert (result.filename, result.content_type, result.data) == (
        "lampiran.pdf", "application/pdf", pdf)


def test_file_over_the_limit_is_refused_with_the_limit_in_megabytes():
    result = clean(b"%PDF-" + bytes(3 * 1024 * 1024), max_bytes=2 * 1024 * 1024)

    assert result == MediaError("common.error.file_size", {"mb": 2})


@pytest.mark.parametrize("data", [b"\xff\xd8\xff\xe0 not really a jpeg", b"\x89PNG\r\n\x1a\n"])
def test_broken_image_is_refused_as_unreadable(data):
    assert clean(data) == MediaError("media.error.unreadable")


def test_voice_note_passes_through_as_ogg():
    ogg = b"OggS\x00\x02" + bytes(200)

    result = clean(ogg, "audio/ogg")

    assert (result.filename, result.content_type, result.data) == ("lampiran.ogg", "audio/ogg", ogg)
