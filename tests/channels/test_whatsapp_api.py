"""The Graph API client against the fake Graph API on loopback."""

from __future__ import annotations

import hashlib

import aiohttp
import pytest

from bot.channels.whatsapp.api import (
    GraphAPI,
    GraphAPIError,
    MediaInfo,
    MediaIntegrityError,
    OutsideWindowError,
    RateLimitedError,
    UndeliverableError,
    buttons_message,
)
from tests.fakes.graph_api import FakeGraphAPI

BSUID = "ID.1410018717833190"
WA_ID = "6281234567890"


@pytest.fixture
async def fake():
    server = await FakeGraphAPI().start()
    yield server
    await server.close()


@pytest.fixture
async def api(fake):
    async with aiohttp.ClientSession() as session:
        yield GraphAPI(
            session=session,
            token=fake.token,
            phone_number_id=fake.phone_number_id,
            api_url=fake.api_url,
        )


async def test_send_text_posts_to_the_phone_number_with_the_bearer_token(api, fake):
    wamid = await api.send_text(WA_ID, "Halo")

    assert wamid.startswith("wamid.")
    call = fake.calls[-1]
    assert call.path == f"/v26.0/{fake.phone_number_id}/messages"
    assert call.headers["Authorization"] == f"Bearer {fake.token}"
    assert fake.sent == [
        {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": WA_ID,
            "type": "text",
            "text": {"body": "Halo", "preview_url": False},
        }
    ]


async def test_a_business_scoped_user_id_is_addressed_as_recipient_not_to(api, fake):
    await api.send_text(BSUID, "Halo")

    assert fake.sent[0]["recipient"] == BSUID
    assert "to" not in fake.sent[0]


async def test_template_is_sent_by_name_and_language(api, fake):
    await api.send_template(BSUID, "wbs_update", "id")

    assert fake.sent[0]["template"] == {"name": "wbs_update", "language": {"code": "id"}}


async def test_throughput_limit_raises_rate_limited_with_a_retry_hint(api, fake):
    fake.fail_next(130429)

    with pytest.raises(RateLimitedError) as caught:
        await api.send_text(WA_ID, "Halo")

    assert caught.value.code == 130429
    assert caught.value.retryable
    assert caught.value.retry_after > 0
    assert fake.sent == []


async def test_retry_after_header_overrides_the_default_hint(api, fake):
    fake.fail_next(131056, retry_after="12")

    with pytest.raises(RateLimitedError) as caught:
        await api.send_text(WA_ID, "Halo")

    assert caught.value.code == 131056
    assert caught.value.retry_after == 12.0


async def test_closed_customer_service_window_is_not_retryable(api, fake):
    fake.fail_next(131047)

    with pytest.raises(OutsideWindowError) as caught:
        await api.send_text(WA_ID, "Halo")

    assert not caught.value.retryable


async def test_undeliverable_user_is_reported_as_permanent(api, fake):
    fake.fail_next(131026)

    with pytest.raises(UndeliverableError) as caught:
        await api.send_text(WA_ID, "Halo")

    assert caught.value.retry_after is None


async def test_send_succeeds_once_the_rate_limit_has_passed(api, fake):
    fake.fail_next(130429)
    with pytest.raises(RateLimitedError):
        await api.send_text(WA_ID, "satu")

    await api.send_text(WA_ID, "satu")

    assert [m["text"]["body"] for m in fake.sent] == ["satu"]


async def test_error_message_never_contains_the_recipient_or_the_text(api, fake):
    fake.fail_next(131026)

    with pytest.raises(GraphAPIError) as caught:
        await api.send_text(WA_ID, "rahasia laporan")

    assert WA_ID not in str(caught.value)
    assert "rahasia" not in str(caught.value)


async def test_wrong_token_is_an_error_with_metas_code(fake):
    async with aiohttp.ClientSession() as session:
        api = GraphAPI(
            session=session,
            token="wrong",
            phone_number_id=fake.phone_number_id,
            api_url=fake.api_url,
        )
        with pytest.raises(GraphAPIError) as caught:
            await api.send_text(WA_ID, "Halo")

    assert caught.value.code == 190
    assert caught.value.http_status == 401


async def test_fake_rejects_a_button_title_longer_than_twenty_characters(api, fake):
    message = buttons_message("Pilih", [("a", "A")])
    message["interactive"]["action"]["buttons"][0]["reply"]["title"] = "x" * 21

    with pytest.raises(GraphAPIError) as caught:
        await api.send(WA_ID, message)

    assert caught.value.code == 131009


async def test_mark_read_sends_a_read_status_for_the_message(api, fake):
    await api.mark_read("wamid.IN1")

    assert fake.reads == ["wamid.IN1"]
    assert fake.sent == []


async def test_media_is_looked_up_then_downloaded_with_the_bearer_token(api, fake):
    photo = b"\xff\xd8\xff fake jpeg bytes"
    media_id = fake.add_media(photo, "image/jpeg")

    info, data = await api.fetch_media(media_id)

    assert data == photo
    assert info.mime_type == "image/jpeg"
    lookup, download = fake.calls[-2:]
    assert lookup.path == f"/v26.0/{media_id}"
    assert download.path == f"/download/{media_id}"
    assert download.headers["Authorization"] == f"Bearer {fake.token}"


async def test_media_download_without_the_token_is_refused_by_the_fake(fake):
    media_id = fake.add_media(b"data")
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{fake.base}/download/{media_id}") as resp,
    ):
        assert resp.status == 401


async def test_media_with_a_wrong_checksum_is_rejected(api, fake):
    media_id = fake.add_media(b"tampered", sha256=hashlib.sha256(b"original").hexdigest())

    with pytest.raises(MediaIntegrityError):
        await api.fetch_media(media_id)


async def test_media_larger_than_the_limit_is_rejected_before_download(api, fake):
    media_id = fake.add_media(b"x" * 2048)

    with pytest.raises(MediaIntegrityError):
        await api.fetch_media(media_id, max_bytes=1024)

    assert not any(c.path.startswith("/download/") for c in fake.calls)


async def test_media_size_limit_holds_even_when_meta_omits_the_size(api, fake):
    media_id = fake.add_media(b"x" * 300_000)
    info = MediaInfo(
        url=f"{fake.base}/download/{media_id}", mime_type="image/jpeg", sha256="", file_size=None
    )

    with pytest.raises(MediaIntegrityError):
        await api.download_media(info, max_bytes=100_000)


async def test_unknown_media_id_is_an_error(api, fake):
    with pytest.raises(GraphAPIError) as caught:
        await api.media_info("404404")

    assert caught.value.http_status == 404


async def test_uploaded_media_reaches_the_api_with_its_type(api, fake):
    media_id = await api.upload_media(
        b"%PDF-1.4", filename="tanda-terima.pdf", content_type="application/pdf"
    )

    assert fake.uploads[media_id] == (b"%PDF-1.4", "application/pdf")
