"""Decompression bombs: a small PNG that claims 49 million pixels is refused from its header
with a message the reporter understands, without the bot's memory growing by the hundreds of
megabytes decoding it would take; and images are decoded off the event loop, so health checks
and webhooks keep being answered while a large photo is cleaned."""

from __future__ import annotations

import asyncio
import functools
import re
import struct
import zlib
from io import BytesIO
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer
from PIL import Image

from bot.app import App
from bot.channels.telegram.channel import TelegramChannel
from bot.media import MediaError, clean_off_loop
from bot.web import build_web_app
from handlers.engine.types import Attachment
from tests.channels.test_telegram_flow import walk_to_evidence
from tests.fakes.bot_api import FakeBotApi
from tests.fakes.bot_api_chat import UserChat
from tests.fakes.telegram_fixtures import api, bot, settings  # noqa: F401 - fixtures

STATUS = Path("/proc/self/status")
MB = 1024 * 1024


@functools.cache
def solid_png(width: int, height: int) -> bytes:
    """An RGB PNG of one colour, deflated row by row (never held decoded in memory here)."""
    row = b"\x00" + b"\x80\x20\x20" * width  # filter type 0, then the pixels
    deflate = zlib.compressobj(9)
    body = b"".join(deflate.compress(row) for _ in range(height)) + deflate.flush()

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def peak_rss_bytes() -> int:
    """This process's resident-memory high-water mark (VmHWM)."""
    match = re.search(r"VmHWM:\s+(\d+) kB", STATUS.read_text())
    assert match is not None
    return int(match.group(1)) * 1024


def reset_peak_rss() -> None:
    """Start the high-water mark again from the memory in use now (Linux clear_refs)."""
    Path("/proc/self/clear_refs").write_text("5")


@pytest.mark.skipif(not STATUS.exists(), reason="needs Linux /proc to read peak memory")
async def test_a_png_bomb_is_refused_without_decoding_while_health_answers(
        app: App, api: FakeBotApi, bot: TelegramChannel):
    bomb = solid_png(7000, 7000)
    assert len(bomb) < 200 * 1024  # 49 megapixels in a small file
    chat = UserChat(api, 5151)
    await walk_to_evidence(chat)
    reset_peak_rss()
    before = peak_rss_bytes()

    api.push(api.document_message(5151, bomb, file_name="bukti.png", mime_type="image/png"))
    health = f"http://127.0.0.1:{app.settings.web.listen_port}/healthz"
    reply = asyncio.create_task(chat.sees("media.error.too_many_pixels"))
    statuses = []
    async with aiohttp.ClientSession() as http:
        while not reply.done():
            async with http.get(health) as response:
                statuses.append(response.status)
            await asyncio.sleep(0.01)

    assert "20 megapiksel" in await reply
    assert statuses
    assert set(statuses) == {200}
    assert peak_rss_bytes() - before < 100 * MB


async def test_a_large_photo_is_cleaned_off_the_event_loop(app: App):
    out = BytesIO()
    Image.linear_gradient("L").resize((4000, 4000)).convert("RGB").save(out, "JPEG", quality=90)
    photo = out.getvalue()  # 16 megapixels: accepted, and slow enough to decode and encode

    async with TestClient(TestServer(build_web_app(app, []))) as http:
        cleaning = asyncio.create_task(clean_off_loop(photo, "image/jpeg", max_bytes=50 * MB,
                                                      allowed=("image/jpeg",)))
        await asyncio.sleep(0)  # the photo is in the worker pool now
        health = await http.get("/healthz")
        assert health.status == 200
        assert not cleaning.done()  # health was answered while the photo was being cleaned
        cleaned = await cleaning

    assert isinstance(cleaned, Attachment)
    assert Image.open(BytesIO(cleaned.data)).size == (4000, 4000)


async def test_a_bomb_is_refused_the_same_way_through_any_channel():
    refused = await clean_off_loop(solid_png(7000, 7000), "image/png", max_bytes=50 * MB,
                                   allowed=("image/png",))
    assert refused == MediaError("media.error.too_many_pixels", {"mp": 20})
