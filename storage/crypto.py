"""Keys and ciphers: a versioned keyring of key-encryption keys, per-report data keys,
AES-256-GCM sealing bound to (table, column, row id), HMAC for reporter handles and
Argon2id for receipt secrets."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEY_BYTES = 32
NONCE_BYTES = 12
FORMAT = 1
# Readable codes avoid letters people confuse (0/O, 1/I/L, U/V).
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"


class DecryptionError(Exception):
    """A ciphertext failed authentication: wrong key, wrong row, or tampered bytes."""


@dataclass(frozen=True, slots=True)
class Contract:
    """An encrypted column: the AAD names its table and column and the row it belongs to."""

    table: str
    column: str

    def aad(self, row_id: str) -> bytes:
        """Canonical associated data: JSON of [table, column, row id]."""
        return json.dumps([self.table, self.column, str(row_id)], separators=(",", ":")).encode()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text.encode())


def _hkdf(secret: bytes, info: bytes) -> bytes:
    """HKDF-SHA256 to a 32-byte key."""
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=info).derive(secret)


@dataclass
class Keyring:
    """Key-encryption keys by id (the newest is active) and the stable HMAC pepper."""

    keys: dict[str, bytes]
    active: str
    pepper: bytes = field(repr=False)

    def __repr__(self) -> str:
        return f"Keyring(active={self.active!r}, ids={sorted(self.keys)!r})"

    @classmethod
    def generate(cls) -> Keyring:
        """A new keyring with one random 256-bit KEK and a random pepper."""
        return cls(keys={"k1": os.urandom(KEY_BYTES)}, active="k1", pepper=os.urandom(KEY_BYTES))

    @classmethod
    def from_master_key(cls, master: str) -> Keyring:
        """A keyring derived from one base64 secret (WBS_MASTER_KEY), for container setups."""
        raw = _unb64(master.strip())
        if len(raw) < KEY_BYTES:
            raise ValueError("WBS_MASTER_KEY must be at least 32 bytes, base64-encoded")
        return cls(keys={"env": _hkdf(raw, b"wbs kek")}, active="env", pepper=_hkdf(raw, b"wbs pepper"))

    def to_json(self) -> str:
        """Serialise for the key file."""
        return json.dumps(
            {
                "format": FORMAT,
                "active": self.active,
                "keys": {kid: _b64(k) for kid, k in self.keys.items()},
                "pepper": _b64(self.pepper),
            },
            indent=2,
        )

    @classmethod
    def from_json(cls, text: str) -> Keyring:
        """Parse a key file."""
        data = json.loads(text)
        keys = {kid: _unb64(v) for kid, v in data["keys"].items()}
        if data["active"] not in keys:
            raise ValueError("key file: active key id is missing")
        return cls(keys=keys, active=data["active"], pepper=_unb64(data["pepper"]))

    def save(self, path: Path) -> None:
        """Write the key file atomically with mode 0600."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(self.to_json())
        os.replace(tmp, path)
        path.chmod(0o600)

    @classmethod
    def load_or_create(cls, path: Path) -> Keyring:
        """Read the key file, creating it (0600) on first start."""
        if path.exists():
            return cls.from_json(path.read_text())
        ring = cls.generate()
        ring.save(path)
        return ring

    def rotated(self) -> Keyring:
        """A copy with a new active KEK; old keys stay until retired."""
        n = 1 + max((int(k[1:]) for k in self.keys if k[1:].isdigit()), default=0)
        new_id = f"k{n}"
        return Keyring(keys={**self.keys, new_id: os.urandom(KEY_BYTES)}, active=new_id,
                       pepper=self.pepper)

    def ephemeral_key(self, kek_id: str) -> bytes:
        """Key for short-lived rows (drafts, inbox, outbox): HKDF of a KEK (derived once)."""
        return _ephemeral_key(self.keys[kek_id])


@functools.lru_cache(maxsize=16)
def _ephemeral_key(kek: bytes) -> bytes:
    return _hkdf(kek, b"wbs ephemeral")


def seal(key: bytes, plaintext: bytes, *, aad: bytes) -> bytes:
    """AES-256-GCM with a fresh 96-bit nonce; returns nonce || ciphertext+tag."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def unseal(key: bytes, blob: bytes, *, aad: bytes) -> bytes:
    """Open an AES-256-GCM blob; DecryptionError if the key, AAD or bytes are wrong."""
    try:
        return AESGCM(key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], aad)
    except (InvalidTag, ValueError) as exc:
        raise DecryptionError("ciphertext failed authentication") from exc


def new_data_key() -> bytes:
    """A random 256-bit data key for one report."""
    return os.urandom(KEY_BYTES)


DATA_KEY = Contract("data_key", "wrapped")


def wrap_data_key(ring: Keyring, data_key: bytes, *, key_row_id: str) -> tuple[str, bytes]:
    """Wrap a data key with the active KEK (AES-256-GCM, AAD names the data_key row)."""
    return ring.active, seal(ring.keys[ring.active], data_key, aad=DATA_KEY.aad(key_row_id))


def unwrap_data_key(ring: Keyring, kek_id: str, wrapped: bytes, *, key_row_id: str) -> bytes:
    """Unwrap a data key; DecryptionError if its KEK is gone or the blob was moved."""
    kek = ring.keys.get(kek_id)
    if kek is None:
        raise DecryptionError(f"key {kek_id} is not in the keyring")
    return unseal(kek, wrapped, aad=DATA_KEY.aad(key_row_id))


def seal_ephemeral(ring: Keyring, plaintext: bytes, *, contract: Contract, row_id: str) -> bytes:
    """Seal a short-lived value under the active KEK's ephemeral key; blob names the KEK id."""
    kid = ring.active.encode()
    body = seal(ring.ephemeral_key(ring.active), plaintext, aad=contract.aad(row_id))
    return bytes([len(kid)]) + kid + body


def unseal_ephemeral(ring: Keyring, blob: bytes, *, contract: Contract, row_id: str) -> bytes:
    """Open a value sealed with seal_ephemeral."""
    n = blob[0]
    kid = blob[1 : 1 + n].decode()
    if kid not in ring.keys:
        raise DecryptionError(f"key {kid} is not in the keyring")
    return unseal(ring.ephemeral_key(kid), blob[1 + n :], aad=contract.aad(row_id))


def ephemeral_key_id(blob: bytes) -> str:
    """Which KEK sealed an ephemeral blob (for rotation and retirement checks)."""
    return blob[1 : 1 + blob[0]].decode()


def handle_digest(ring: Keyring, channel: str, handle: str) -> str:
    """HMAC-SHA256(pepper, channel:handle), hex: how we look a reporter up without storing them."""
    return hmac.new(ring.pepper, f"{channel}:{handle}".encode(), hashlib.sha256).hexdigest()


def random_code(groups: int, size: int = 4) -> str:
    """Groups of random characters from the readable alphabet, joined by dashes."""
    return "-".join(
        "".join(secrets.choice(CODE_ALPHABET) for _ in range(size)) for _ in range(groups)
    )


def new_ticket_code() -> str:
    """A Kode Laporan such as WBS-7K3M-Q9XD (not secret; identifies the ticket)."""
    return "WBS-" + random_code(2)


def new_receipt_secret() -> str:
    """A receipt secret: 16 characters from a 29-letter alphabet, ~77 bits."""
    return random_code(4)


def normalise_secret(text: str) -> str:
    """Accept secrets typed in lower case, with spaces or without dashes."""
    raw = "".join(ch for ch in text.upper() if ch.isalnum())
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


class SecretHasher:
    """Argon2id hashing of receipt secrets; a dummy hash keeps unknown codes as slow as known."""

    def __init__(self, *, time_cost: int, memory_kib: int) -> None:
        self._ph = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=1)
        self._dummy = self._ph.hash(secrets.token_hex(16))

    def hash(self, secret: str) -> str:
        """Argon2id hash (PHC string) of a normalised secret."""
        return self._ph.hash(normalise_secret(secret))

    def verify(self, stored: str | None, secret: str) -> bool:
        """Constant-effort check; an unknown ticket (stored None) still costs one hash."""
        try:
            return self._ph.verify(stored or self._dummy, normalise_secret(secret)) and bool(stored)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
