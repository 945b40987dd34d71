"""/metrics is for the operator: the public (webhook) listener answers 404 there, the metrics
listener (loopback by default) serves it, and with WBS_METRICS_TOKEN only to a bearer of it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr

from bot.app import App
from bot.runner import serve
from bot.settings import load_settings
from bot.web import build_metrics_app, build_web_app
from tests.deploy.test_shutdown import TeamDesk
from tests.fakes.bot_api_chat import free_port

TOKEN = "metrics_" + "Q7" * 16


@pytest.fixture
async def guarded(app: App) -> AsyncIterator[TestClient]:
    """The metrics listener with a bearer token configured."""
    app.settings = app.settings.replace(web={"metrics_token": SecretStr(TOKEN)})
    async with TestClient(TestServer(build_metrics_app(app))) as http:
        yield http


async def test_the_public_listener_has_no_metrics(app: App):
    async with TestClient(TestServer(build_web_app(app, []))) as public:
        assert (await public.get("/healthz")).status == 200
        assert (await public.get("/metrics")).status == 404


async def test_a_running_bot_serves_metrics_only_on_its_metrics_port(app: App):
    public_port, metrics_port = free_port(), free_port()
    app.settings = app.settings.replace(
        web={"listen_port": public_port, "metrics_listen_port": metrics_port},
        scheduler={"enabled": False})
    stop = asyncio.Event()
    server = asyncio.create_task(serve(app, [TeamDesk()], stop))
    try:
        async with aiohttp.ClientSession() as http:
            await _until_listening(http, f"http://127.0.0.1:{public_port}/healthz")
            async with http.get(f"http://127.0.0.1:{public_port}/metrics") as public:
                assert public.status == 404
            async with http.get(f"http://127.0.0.1:{metrics_port}/metrics") as private:
                assert private.status == 200
                assert "wbs_updates_total" in await private.text()
            async with http.get(f"http://127.0.0.1:{metrics_port}/healthz") as other:
                assert other.status == 404  # the operator's listener serves metrics alone
    finally:
        stop.set()
        await asyncio.wait_for(server, 30)


async def _until_listening(http: aiohttp.ClientSession, url: str) -> None:
    for _ in range(200):
        try:
            async with http.get(url) as response:
                if response.status == 200:
                    return
        except aiohttp.ClientConnectionError:
            pass
        await asyncio.sleep(0.05)
    raise AssertionError(f"{url} never answered")


@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token", f"Basic {TOKEN}", TOKEN,
                                           f"Bearer {TOKEN}x"])
async def test_with_a_token_a_missing_or_wrong_bearer_gets_401(guarded: TestClient,
                                                               authorization: str | None):
    headers = {"Authorization": authorization} if authorization else {}
    response = await guarded.get("/metrics", headers=headers)
    assert response.status == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert "wbs_" not in await response.text()


async def test_with_a_token_its_bearer_reads_the_metrics(guarded: TestClient):
    response = await guarded.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status == 200
    assert "wbs_updates_total" in await response.text()


def test_a_short_metrics_token_is_refused_without_echoing_it():
    with pytest.raises(ValueError, match="WBS_METRICS_TOKEN must be at least 32") as refused:
        load_settings({"WBS_METRICS_TOKEN": "tooShortToken"})
    assert "tooShortToken" not in str(refused.value)


def test_metrics_listen_on_loopback_port_9090_unless_told_otherwise():
    web = load_settings({}).web
    assert (web.metrics_listen_host, web.metrics_listen_port, web.metrics_token) == (
        "127.0.0.1", 9090, None)
