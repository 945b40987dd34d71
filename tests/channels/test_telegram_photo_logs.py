"""A phone photo sent on Telegram at WBS_LOG_LEVEL=DEBUG: none of its EXIF reaches our log
(Pillow logs every tag it parses at DEBUG, camera owner and GPS position included)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from io import BytesIO

import pytest
from PIL import ExifTags, Image

from bot.app import QUIET_LIBRARIES, App, setup_logging
from bot.channels.telegram.channel import TelegramChannel
from tests.channels.test_telegram_flow import walk_to_evidence
from tests.fakes.bot_api import FakeBotApi
from tests.fakes.bot_api_chat import UserChat
from tests.fakes.telegram_fixtures import api, bot, settings  # noqa: F401 - fixtures

MAKE, MODEL, ARTIST = "Zorkmatic", "Quillfeather X9", "Bapak Sutrisno Wibowo"
GPS = {1: "S", 2: (6.0, 10.0, 30.0), 3: "E", 4: (106.0, 49.0, 0.0)}


def phone_photo() -> bytes:
    """A JPEG with the EXIF a phone writes: maker, model, owner and GPS position."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = MAKE
    exif[ExifTags.Base.Model] = MODEL
    exif[ExifTags.Base.Artist] = ARTIST
    exif[ExifTags.IFD.GPSInfo] = GPS
    out = BytesIO()
    Image.new("RGB", (64, 48), (20, 120, 200)).save(out, "JPEG", exif=exif)
    return out.getvalue()


@pytest.fixture
def library_levels() -> Iterator[None]:
    """setup_logging changes process-wide logger levels: put them back afterwards."""
    names = (*QUIET_LIBRARIES, "PIL.TiffImagePlugin", "PIL.Image")
    before = {name: logging.getLogger(name).level for name in names}
    yield
    for name, level in before.items():
        logging.getLogger(name).setLevel(level)


@pytest.mark.usefixtures("library_levels")
async def test_photo_exif_never_reaches_the_log_at_debug(app: App, api: FakeBotApi,
                                                        bot: TelegramChannel,
                                                        caplog: pytest.LogCaptureFixture):
    setup_logging(app.settings.replace(runtime={"log_level": "DEBUG"}))
    caplog.set_level(logging.DEBUG)
    chat = UserChat(api, 4141)
    await walk_to_evidence(chat)

    await chat.send_photo(phone_photo())
    await chat.sees("common.files.received")

    logged = "\n".join(rec.getMessage() for rec in caplog.records)
    assert "DEBUG" in {rec.levelname for rec in caplog.records}  # the capture did see DEBUG
    for needle in (MAKE, MODEL, ARTIST, "Sutrisno", "106.0", "(6.0, 10.0, 30.0)"):
        assert needle not in logged, needle
