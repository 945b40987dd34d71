"""Secrets and keys are checked when the bot starts: a usable webhook secret, a key file only
its owner can read, keys of the right length, and never a silent new keyring over a database
whose reports need the old one. Each refusal says how to fix it and never shows a secret."""

from __future__ import annotations

import json
import os
import stat

import pytest
from pydantic import ValidationError

from bot.app import build_app
from bot.settings import Settings, load_settings
from storage.crypto import KeyFileError, Keyring
from storage.models import DataKey

GOOD_SECRET = "s3cret_Webhook-value_" + "x" * 20


def test_an_empty_webhook_secret_counts_as_unset():
    settings = load_settings({"WBS_TELEGRAM_TOKEN": "123:abc", "WBS_TELEGRAM_WEBHOOK_SECRET": ""})
    assert settings.telegram.webhook_secret is None
    assert len(settings.telegram.secret()) == 64  # derived from the token


def test_a_long_webhook_secret_of_telegrams_alphabet_is_used():
    settings = load_settings({"WBS_TELEGRAM_WEBHOOK_SECRET": GOOD_SECRET})
    assert settings.telegram.secret() == GOOD_SECRET


@pytest.mark.parametrize("secret", ["pendek-SEKALI", "Zq" * 16 + "!", "Zq" * 14 + " spasi ", "Zq" * 129])
def test_a_short_or_foreign_webhook_secret_is_refused_without_echoing_it(secret: str):
    with pytest.raises(ValidationError) as refused:
        load_settings({"WBS_TELEGRAM_WEBHOOK_SECRET": secret})
    message = str(refused.value)
    assert "WBS_TELEGRAM_WEBHOOK_SECRET must be 32-256 characters of A-Z a-z 0-9 _ -" in message
    assert secret.strip() not in message
    assert "Zq" * 3 not in message
    assert "SEKALI" not in message


async def test_a_key_file_others_can_read_is_refused_with_the_fix(settings: Settings):
    path = settings.storage.key_path
    Keyring.generate().save(path)
    path.chmod(0o644)

    with pytest.raises(KeyFileError) as refused:
        await build_app(settings, migrate=False)

    assert f"chmod 600 {path}" in str(refused.value)
    path.chmod(0o600)
    app = await build_app(settings, migrate=False)
    await app.close()


async def test_a_key_of_the_wrong_length_is_refused_when_loading(settings: Settings):
    path = settings.storage.key_path
    data = json.loads(Keyring.generate().to_json())
    data["keys"]["k1"] = "c2hvcnQta2V5"  # "short-key": 9 bytes, not an AES-256 key
    path.write_text(json.dumps(data))
    path.chmod(0o600)

    with pytest.raises(KeyFileError, match="key k1 is 9 bytes, not 32") as refused:
        await build_app(settings, migrate=False)
    assert "c2hvcnQta2V5" not in str(refused.value)


async def test_a_lost_key_file_is_an_error_once_the_database_holds_reports(settings: Settings):
    app = await build_app(settings, migrate=False)  # first start: the key file is created
    path = settings.storage.key_path
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600

    async def one_report_key(session):
        session.add(DataKey(kek_id="k1", wrapped=b"wrapped data key"))

    await app.db.transaction(one_report_key)
    await app.close()
    path.unlink()

    with pytest.raises(KeyFileError) as refused:
        await build_app(settings, migrate=False)

    assert str(path) in str(refused.value)
    assert "restore the key file from your backup" in str(refused.value)
    assert not path.exists()  # no silent new keyring that could never open those reports
