"""Receipt secrets: random enough for a keyed hash, stored as HMAC-SHA-256 sealed under a KEK,
legacy Argon2id hashes still accepted and upgraded, and key rotation carrying them along."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from bot.app import App
from storage import tickets
from storage.crypto import CODE_ALPHABET, Keyring, SecretHasher, new_receipt_secret
from storage.keys_admin import KeyAdminError, key_usage, retire, rotate
from tests.handlers.test_status_flow import file_one, stored_hash, unlock
from tests.support.reporter import Reporter

CODE = "WBS-7K3M-Q9XD"


def hasher_for(ring: Keyring) -> SecretHasher:
    """A hasher with cheap legacy Argon2 parameters, as the tests' settings have."""
    return SecretHasher(ring, legacy_time_cost=1, legacy_memory_kib=1024)


def only_active(ring: Keyring) -> Keyring:
    """The same keyring with every older key removed."""
    return dataclasses.replace(ring, keys={ring.active: ring.keys[ring.active]})


def test_receipt_secret_is_random_with_at_least_77_bits():
    secrets_seen = {new_receipt_secret() for _ in range(200)}
    assert len(secrets_seen) == 200
    for secret in secrets_seen:
        raw = secret.replace("-", "")
        assert len(raw) == 16
        assert set(raw) <= set(CODE_ALPHABET)
    assert 16 * math.log2(len(CODE_ALPHABET)) >= 77


def test_secret_is_stored_as_a_keyed_hash_and_checked_as_typed():
    ring = Keyring.generate()
    hasher = hasher_for(ring)
    secret = new_receipt_secret()
    stored = hasher.hash(secret, code=CODE)
    assert stored.startswith(f"hmac-sha256${ring.active}$")
    assert secret not in stored
    check = hasher.verify(stored, secret.lower().replace("-", " "), code=CODE)
    assert check.ok
    assert check.rehashed is None
    assert not hasher.verify(stored, new_receipt_secret(), code=CODE).ok
    assert not hasher.verify(None, secret, code=CODE).ok  # unknown code: same work, never true
    assert not hasher.verify(stored, secret, code="WBS-2222-3333").ok  # moved to another ticket
    assert not hasher_for(Keyring.generate()).verify(stored, secret, code=CODE).ok  # other keys


def test_legacy_argon2id_hash_verifies_and_comes_back_keyed():
    hasher = hasher_for(Keyring.generate())
    secret = new_receipt_secret()
    legacy = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(secret)
    assert not hasher.verify(legacy, new_receipt_secret(), code=CODE).ok
    check = hasher.verify(legacy, secret, code=CODE)
    assert check.ok
    assert check.rehashed is not None
    assert check.rehashed.startswith("hmac-sha256$")
    assert hasher.verify(check.rehashed, secret, code=CODE).ok


def test_hash_under_an_older_key_verifies_and_comes_back_under_the_active_key():
    old = Keyring.generate()
    secret = new_receipt_secret()
    stored = hasher_for(old).hash(secret, code=CODE)
    new = old.rotated()
    check = hasher_for(new).verify(stored, secret, code=CODE)
    assert check.ok
    assert check.rehashed is not None
    assert check.rehashed.startswith(f"hmac-sha256${new.active}$")


async def test_receipt_issued_before_wbs_keys_rotate_still_opens_with_the_new_key_alone(
        app: App, tmp_path: Path):
    key_file = tmp_path / "wbs.key"
    old = app.services.ring
    old.save(key_file)
    code, secret = await file_one(app)

    new, _result = await rotate(app.db, old, key_file)

    stored = await stored_hash(app, code)
    assert stored.startswith(f"hmac-sha256${new.active}$")
    assert (await app.db.read(lambda s: key_usage(session=s)))[old.active] == 0
    kept = await retire(app.db, new, key_file, old.active)
    assert hasher_for(only_active(kept)).verify(stored, secret, code=code).ok
    assert not hasher_for(only_active(kept)).verify(stored, new_receipt_secret(), code=code).ok


async def test_retire_waits_while_a_receipt_is_sealed_under_the_old_key(app: App, tmp_path: Path):
    key_file = tmp_path / "wbs.key"
    old = app.services.ring
    old.save(key_file)
    code, secret = await file_one(app)
    new, _result = await rotate(app.db, old, key_file)

    async def put_back(session):  # as if this receipt had been missed by the rotation
        ticket = await tickets.find_ticket(session=session, code=code)
        await tickets.replace_secret_hash(session=session, ticket_id=ticket.id,
                                          old=ticket.secret_hash,
                                          new=hasher_for(old).hash(secret, code=code))

    await app.db.write(put_back)
    assert (await app.db.read(lambda s: key_usage(session=s)))[old.active] == 1
    with pytest.raises(KeyAdminError, match=r"still protects 1 value"):
        await retire(app.db, new, key_file, old.active)
    # The reporter's next check (the old key still in the ring) moves it to the new key too.
    app.services.hasher, app.services.ring = hasher_for(new), new
    r = Reporter(app.engine)
    await unlock(r, code, secret)
    assert "Status: Diterima" in r.text
    assert (await stored_hash(app, code)).startswith(f"hmac-sha256${new.active}$")
    assert set((await retire(app.db, new, key_file, old.active)).keys) == {new.active}


async def test_replacing_a_hash_is_skipped_when_it_changed_meanwhile(app: App):
    code, _secret = await file_one(app)
    before = await stored_hash(app, code)

    async def replace(session):
        ticket = await tickets.find_ticket(session=session, code=code)
        await tickets.replace_secret_hash(session=session, ticket_id=ticket.id, old="stale",
                                          new="hmac-sha256$x$y")

    await app.db.write(replace)
    assert await stored_hash(app, code) == before
