"""Attachment cleaning shared by the channels: size and type limits, metadata-free images.

A photo straight from a phone carries EXIF: GPS position, device model and serial, the time it
was taken, sometimes the owner's name. Any of these can identify a reporter, so images are
decoded and re-encoded from their pixels alone (`clean_attachment`); what reaches storage has
no EXIF, XMP, ICC profile or comments. The type is taken from the file's own bytes, never from
what the client claims, and the reporter's file name is dropped (it often names a person).

Decoding is the expensive part, and a few kilobytes of PNG can claim gigabytes of pixels (a
decompression bomb). Channels therefore call `clean_off_loop`: images are decoded in a small
worker pool (at most DECODE_WORKERS at once, the rest wait their turn on a semaphore) so the
event loop keeps answering webhooks and health checks, and an image over MAX_PIXELS is refused
from its header, before a single pixel is decoded.
"""

from __future__ import annotations

import asyncio
import functools
import mimetypes
import weakref
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from io import BytesIO

from PIL import Image, ImageOps, UnidentifiedImageError

from handlers.engine.types import Attachment

MB = 1024 * 1024
DEFAULT_ALLOWED = ("image/jpeg", "image/png", "image/webp", "application/pdf", "audio/ogg",
                   "audio/mpeg", "audio/mp4", "video/mp4")
MAX_PIXELS = 20_000_000  # ~20 MP: above what phones send (12 MP), far below a bomb's claims
DECODE_WORKERS = 2  # images decoded at once: bounds CPU and memory (~4 bytes/pixel, copied twice)
IMAGE_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
_EXTENSIONS = {"image/jpeg": ".jpg", "audio/ogg": ".ogg", "audio/mpeg": ".mp3",
               "audio/mp4": ".m4a", "video/mp4": ".mp4"}
_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"%PDF-", "application/pdf"),
    (b"OggS", "audio/ogg"),
    (b"ID3", "audio/mpeg"),
)
SNIFFED_TYPES = frozenset({t for _, t in _SIGNATURES} | {"image/webp", "audio/mp4", "video/mp4"})


@dataclass(frozen=True, slots=True)
class MediaError:
    """Why a file was refused: a catalog key and its placeholders (the caller localises)."""

    key: str
    params: dict[str, object] = field(default_factory=dict)


def sniff(data: bytes) -> str | None:
    """The MIME type the bytes themselves show (magic numbers), or None if unknown."""
    for magic, content_type in _SIGNATURES:
        if data.startswith(magic):
            return content_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:8] == b"ftyp":
        return "audio/mp4" if data[8:11] == b"M4A" else "video/mp4"
    if len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0:  # MPEG audio frame sync
        return "audio/mpeg"
    return None


def clean_attachment(
    data: bytes,
    content_type: str | None,
    *,
    max_bytes: int,
    allowed: tuple[str, ...] | frozenset[str],
) -> Attachment | MediaError:
    """Check size and type, re-encode images without metadata, name the file neutrally (here,
    on the caller's thread: channels use `clean_off_loop`).

    `content_type` (what the client claimed) counts only for types `sniff` cannot recognise.
    """
    actual = _accepted_type(data, content_type, max_bytes=max_bytes, allowed=allowed)
    if isinstance(actual, MediaError):
        return actual
    if actual in IMAGE_FORMATS:
        cleaned = _reencode(data, IMAGE_FORMATS[actual])
        if isinstance(cleaned, MediaError):
            return cleaned
        data = cleaned
    return _neutral(data, actual)


async def clean_off_loop(
    data: bytes,
    content_type: str | None,
    *,
    max_bytes: int,
    allowed: tuple[str, ...] | frozenset[str],
) -> Attachment | MediaError:
    """`clean_attachment` with images decoded in the bounded worker pool, never on the loop."""
    actual = _accepted_type(data, content_type, max_bytes=max_bytes, allowed=allowed)
    if isinstance(actual, MediaError):
        return actual
    if actual in IMAGE_FORMATS:
        async with _decode_gate():
            cleaned = await asyncio.get_running_loop().run_in_executor(
                _decoder_pool(), functools.partial(_reencode, data, IMAGE_FORMATS[actual]))
        if isinstance(cleaned, MediaError):
            return cleaned
        data = cleaned
    return _neutral(data, actual)


def _accepted_type(data: bytes, content_type: str | None, *, max_bytes: int,
                   allowed: tuple[str, ...] | frozenset[str]) -> str | MediaError:
    """The file's real type if its size and type are accepted, else why not."""
    if len(data) > max_bytes:
        return MediaError("common.error.file_size", {"mb": max(1, max_bytes // MB)})
    claimed = (content_type or "").split(";")[0].strip().lower()
    # A claim is only believed for types whose bytes we cannot recognise ourselves.
    actual = sniff(data) or (claimed if claimed not in SNIFFED_TYPES else None)
    if actual is None or actual not in allowed:
        return MediaError("common.error.file_type")
    return actual


def _neutral(data: bytes, content_type: str) -> Attachment:
    extension = _EXTENSIONS.get(content_type) or mimetypes.guess_extension(content_type) or ""
    return Attachment(filename=f"lampiran{extension}", content_type=content_type, data=data)


_pool: ThreadPoolExecutor | None = None
_gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary())


def _decoder_pool() -> ThreadPoolExecutor:
    """The image workers, started on first use (Pillow releases the GIL while it decodes)."""
    global _pool  # noqa: PLW0603 - one pool per process, created lazily
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=DECODE_WORKERS, thread_name_prefix="wbs-image")
    return _pool


def _decode_gate() -> asyncio.Semaphore:
    """Images waiting for a worker wait here, on this event loop, holding no worker."""
    loop = asyncio.get_running_loop()
    gate = _gates.get(loop)
    if gate is None:
        gate = _gates[loop] = asyncio.Semaphore(DECODE_WORKERS)
    return gate


def strip_image(data: bytes, image_format: str) -> bytes | None:
    """Decode an image and encode its pixels again in the same format (no EXIF/GPS/XMP/ICC).

    The EXIF orientation is applied first so the picture stays upright. None if the bytes are
    not a readable image or claim more than MAX_PIXELS.
    """
    cleaned = _reencode(data, image_format)
    return None if isinstance(cleaned, MediaError) else cleaned


def _reencode(data: bytes, image_format: str) -> bytes | MediaError:
    """strip_image's work; an image over MAX_PIXELS is refused from its header, undecoded."""
    try:
        with Image.open(BytesIO(data)) as original:  # reads the header only
            if original.width * original.height > MAX_PIXELS:
                return MediaError("media.error.too_many_pixels", {"mp": MAX_PIXELS // 1_000_000})
            upright = ImageOps.exif_transpose(original) or original
            pixels = _portable_mode(upright, image_format)
            # A fresh image built from raw pixels carries none of the source's info dict.
            fresh = Image.frombytes(pixels.mode, pixels.size, pixels.tobytes())
    except Image.DecompressionBombError:
        return MediaError("media.error.too_many_pixels", {"mp": MAX_PIXELS // 1_000_000})
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return MediaError("media.error.unreadable")
    out = BytesIO()
    options = {"quality": 90} if image_format in {"JPEG", "WEBP"} else {"optimize": True}
    fresh.save(out, format=image_format, **options)
    return out.getvalue()


def _portable_mode(image: Image.Image, image_format: str) -> Image.Image:
    """Convert palette/CMYK/16-bit images to a mode the target format stores directly."""
    has_alpha = image.mode in {"RGBA", "LA", "PA"} or "transparency" in image.info
    if image_format == "JPEG":
        return image if image.mode in {"RGB", "L"} else image.convert("RGB")
    if image.mode in {"RGB", "RGBA", "L", "LA"}:
        return image
    return image.convert("RGBA" if has_alpha else "RGB")


def strip_metadata(data: bytes, content_type: str | None = None) -> bytes:
    """Image bytes without metadata (other files unchanged; unreadable images unchanged too)."""
    actual = sniff(data)
    if actual in IMAGE_FORMATS:
        return strip_image(data, IMAGE_FORMATS[actual]) or data
    return data
