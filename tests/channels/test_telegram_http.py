"""The aiohttp transport under python-telegram-bot, against the fake Bot API on loopback."""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
from collections.abc import AsyncIterator

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.channels.telegram.transport import AiohttpRequest, Timeouts, build_requests
from tests.fakes.bot_api import FakeBotApi


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as fake:
        yield fake


def make_bot(api: FakeBotApi, **timeouts: float) -> Bot:
    general, updates = build_requests(connection_pool_size=8, timeouts=Timeouts(**timeouts))
    return Bot(
        api.token,
        base_url=api.base_url,
        base_file_url=api.base_file_url,
        request=general,
        get_updates_request=updates,
    )


async def test_send_message_with_keyboard_reaches_the_api_and_returns_the_message(api):
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Pungli", callback_data="c:pungli")]])
    async with make_bot(api) as bot:
        sent = await bot.send_message(42, "Pilih kategori", reply_markup=keyboard)

    assert sent.message_id == 1
    assert sent.text == "Pilih kategori"
    (call,) = api.calls_to("sendMessage")
    assert call.params["chat_id"] == 42
    assert call.params["reply_markup"] == {
        "inline_keyboard": [[{"text": "Pungli", "callback_data": "c:pungli"}]]
    }


async def test_photo_upload_arrives_as_multipart_file_with_caption(api):
    jpeg = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40
    async with make_bot(api) as bot:
        await bot.send_photo(42, photo=jpeg, caption="Bukti", filename="bukti.jpg")

    (call,) = api.calls_to("sendPhoto")
    assert call.files["photo"].data == jpeg
    assert call.files["photo"].filename == "bukti.jpg"
    assert call.params["caption"] == "Bukti"


async def test_file_download_returns_the_bytes_the_user_sent(api):
    data = b"%PDF-1.4 laporan" * 100
    update = api.document_message(42, data)
    async with make_bot(api) as bot:
        tg_file = await bot.get_file(update["message"]["document"]["file_id"])
        downloaded = await tg_file.download_as_bytearray()

    assert bytes(downloaded) == data


async def test_too_many_requests_raises_retry_after_with_the_servers_delay(api):
    api.rate_limit_next(1, retry_after=7)
    async with make_bot(api) as bot:
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(42, "halo")
        again = await bot.send_message(42, "halo")

    delay = caught.value.retry_after
    assert (delay.total_seconds() if isinstance(delay, dt.timedelta) else delay) == 7
    assert again.text == "halo"


async def test_bad_request_from_the_api_is_raised_as_bad_request(api):
    async with make_bot(api) as bot:
        with pytest.raises(BadRequest, match="(?i)message to delete not found"):
            await bot.delete_message(42, 999)


async def test_slow_api_raises_timed_out_instead_of_hanging(api):
    api.delay(2.0, {"sendMessage"})
    async with make_bot(api, read=0.2) as bot:
        with pytest.raises(TimedOut):
            await bot.send_message(42, "halo")


async def test_unreachable_api_raises_network_error():
    with socket.socket() as sock:  # a port nobody listens on once the socket is closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    request = AiohttpRequest(timeouts=Timeouts(connect=1.0))
    bot = Bot("1:x", base_url=f"http://127.0.0.1:{port}/bot", request=request)
    await request.initialize()
    try:
        with pytest.raises(NetworkError):
            await bot.send_message(42, "halo")
    finally:
        await request.shutdown()


async def test_long_poll_returns_an_update_pushed_while_waiting(api):
    async with make_bot(api) as bot:
        poll = asyncio.create_task(bot.get_updates(timeout=5))
        await api.wait_until(lambda: api.calls_to("getUpdates"))
        api.push(api.text_message(42, "/start"))
        (update,) = await poll

    assert update.message.text == "/start"
    assert update.message.chat.type == "private"


async def test_many_concurrent_sends_share_one_small_pool(api):
    async with make_bot(api) as bot:
        sent = await asyncio.gather(*(bot.send_message(1000 + i, "halo") for i in range(100)))

    assert len(sent) == 100
    assert len(api.calls_to("sendMessage")) == 100


async def test_requests_share_one_session_closed_by_the_last_shutdown(api):
    general, updates = build_requests()
    await general.initialize()
    await updates.initialize()
    await general.shutdown()
    bot = Bot(api.token, base_url=api.base_url, request=updates, get_updates_request=updates)
    assert (await bot.get_me()).username == "wbs_test_bot"
    await updates.shutdown()
    with pytest.raises(NetworkError, match="not initialized"):
        await bot.get_me()


async def test_fake_reports_unknown_methods_as_a_test_failure(api):
    async with make_bot(api) as bot:
        with pytest.raises(TelegramError):  # answered 404
            await bot.forward_message(1, from_chat_id=2, message_id=3)
    with pytest.raises(AssertionError, match="forwardMessage"):
        api.check()
    api.unknown_methods.clear()
