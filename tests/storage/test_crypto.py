"""Envelope encryption: AES-256-GCM bound to table/column/row, wrapped data keys, key file."""

from __future__ import annotations

import base64
import os
import stat

import pytest

from storage.crypto import (
    Contract,
    DecryptionError,
    Keyring,
    new_data_key,
    new_ticket_code,
    seal,
    seal_ephemeral,
    unseal,
    unseal_ephemeral,
    unwrap_data_key,
    wrap_data_key,
)

CONTENT = Contract("ticket", "content")


def test_sealed_text_opens_only_with_the_same_key_and_row():
    key = new_data_key()
    blob = seal(key, b"laporan rahasia", aad=CONTENT.aad("row-1"))
    assert b"laporan rahasia" not in blob
    assert unseal(key, blob, aad=CONTENT.aad("row-1")) == b"laporan rahasia"
    with pytest.raises(DecryptionError):
        unseal(key, blob, aad=CONTENT.aad("row-2"))  # moved to another row
    with pytest.raises(DecryptionError):
        unseal(key, blob, aad=Contract("ticket", "route").aad("row-1"))  # another column
    with pytest.raises(DecryptionError):
        unseal(new_data_key(), blob, aad=CONTENT.aad("row-1"))


def test_a_flipped_bit_is_detected():
    key = new_data_key()
    blob = bytearray(seal(key, b"isi laporan", aad=CONTENT.aad("r")))
    blob[-5] ^= 0x01
    with pytest.raises(DecryptionError):
        unseal(key, bytes(blob), aad=CONTENT.aad("r"))


def test_two_seals_of_the_same_text_differ():
    key = new_data_key()
    assert seal(key, b"x", aad=b"a") != seal(key, b"x", aad=b"a")


def test_data_keys_unwrap_only_for_their_row_and_with_their_kek():
    ring = Keyring.generate()
    key = new_data_key()
    kek_id, wrapped = wrap_data_key(ring, key, key_row_id="dk1")
    assert unwrap_data_key(ring, kek_id, wrapped, key_row_id="dk1") == key
    with pytest.raises(DecryptionError):
        unwrap_data_key(ring, kek_id, wrapped, key_row_id="dk2")
    with pytest.raises(DecryptionError):
        unwrap_data_key(Keyring.generate(), kek_id, wrapped, key_row_id="dk1")


def test_ephemeral_blobs_survive_rotation_while_the_old_key_is_kept():
    ring = Keyring.generate()
    blob = seal_ephemeral(ring, b"draft", contract=CONTENT, row_id="c1")
    rotated = ring.rotated()
    assert rotated.active != ring.active
    assert unseal_ephemeral(rotated, blob, contract=CONTENT, row_id="c1") == b"draft"
    retired = Keyring(keys={rotated.active: rotated.keys[rotated.active]}, active=rotated.active,
                      pepper=rotated.pepper)
    with pytest.raises(DecryptionError):
        unseal_ephemeral(retired, blob, contract=CONTENT, row_id="c1")


def test_key_file_is_created_private_and_reloads(tmp_path):
    path = tmp_path / "keys" / "wbs.key"
    ring = Keyring.load_or_create(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    again = Keyring.load_or_create(path)
    assert again.keys == ring.keys
    assert again.pepper == ring.pepper


def test_master_key_from_environment_is_deterministic():
    secret = base64.urlsafe_b64encode(os.urandom(32)).decode()
    assert Keyring.from_master_key(secret).keys == Keyring.from_master_key(secret).keys
    with pytest.raises(ValueError, match="32 bytes"):
        Keyring.from_master_key(base64.urlsafe_b64encode(b"short").decode())


def test_ticket_codes_are_readable():
    code = new_ticket_code()
    assert code.startswith("WBS-")
    assert len(code) == 13
    assert not set(code[4:].replace("-", "")) & set("01ILOUV")
