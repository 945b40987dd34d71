"""The bot starts whatever Telegram answers to its start-up calls, and says so in the log."""

from __future__ import annotations

from typing import Any

import pytest

from bot.app import App
from bot.channels.telegram.officers.receive import TelegramOfficers
from tests.fakes.bot_api import FakeBotApi
from tests.fakes.bot_api_chat import UserChat
from tests.fakes.bot_api_messages import ApiError
from tests.officer.conftest import REPORTER, file_complaint, running_desk, topic_of


def fails(status: int) -> Any:
    """A Bot API method that answers with an error."""
    def handler(params: dict[str, Any], files: dict) -> Any:
        raise ApiError(status, "Internal Server Error")
    return handler


@pytest.mark.parametrize("broken", ["getChat", "getChat-garbled", "setMyCommands", "deleteWebhook"])
async def test_the_desk_starts_and_works_when_a_start_up_call_fails(
        app: App, api: FakeBotApi, broken: str, caplog: pytest.LogCaptureFixture):
    method = broken.split("-", maxsplit=1)[0]
    if broken.endswith("garbled"):  # an answer PTB cannot even read
        api.register(method, lambda params, files: {"id": params["chat_id"]})
    else:
        api.register(method, fails(500))

    async with running_desk(app, api) as desk:
        assert isinstance(desk, TelegramOfficers)
        code, _ = await file_complaint(UserChat(api, REPORTER))
        await topic_of(api, code)  # a forum is assumed when getChat told nothing

    logged = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any("starting anyway" in m or "not reachable" in m for m in logged), logged
