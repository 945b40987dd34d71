"""Keys and ciphers: a versioned keyring of key-encryption keys, per-report data keys,
AES-256-GCM sealing bound to (table, column, row id), HMAC for reporter handles and
keyed hashes for receipt secrets (Argon2id only to check receipts issued before)."""

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


class KeyFileError(Exception):
    """The key file cannot be used as it is; the message says how to fix it (never a key)."""


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
        pepper = _unb64(data["pepper"])
        for name, key in [*((f"key {kid}", k) for kid, k in keys.items()), ("pepper", pepper)]:
            if len(key) != KEY_BYTES:  # AES-256 and HMAC-SHA-256 keys: 32 bytes each
                raise ValueError(f"key file: {name} is {len(key)} bytes, not {KEY_BYTES}")
        return cls(keys=keys, active=data["active"], pepper=pepper)

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
    def load(cls, path: Path) -> Keyring:
        """Read the key file; KeyFileError if other users may read it or it is not a keyring."""
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            raise KeyFileError(f"key file {path} can be read by other users (mode {mode:03o}); "
                               f"run `chmod 600 {path}` and start again")
        try:
            return cls.from_json(path.read_text())
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            # the type and our own messages only: a parser's message could quote key bytes
            reason = str(exc) if str(exc).startswith("key file:") else type(exc).__name__
            raise KeyFileError(f"key file {path} is not a usable keyring ({reason}); "
                               "restore it from your backup") from None

    @classmethod
    def load_or_create(cls, path: Path) -> Keyring:
        """Read the key file (see `load`), creating it (0600) on first start."""
        if path.exists():
            return cls.load(path)
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


# Receipt secrets are stored as `hmac-sha256$<KEK id>$<base64>`: the HMAC-SHA-256 of the
# normalised secret under a key derived from the keyring's pepper, sealed (AES-256-GCM, AAD
# names the ticket's code) under a key derived from a KEK, so rotation re-seals it like every
# other value without knowing the secret. Receipts issued before this are Argon2id PHC strings.
RECEIPT_SCHEME = "hmac-sha256"
RECEIPT_SECRET = Contract("ticket", "secret_hash")  # the AAD's row id is the ticket's code
LEGACY_PREFIX = "$argon2"
_DUMMY_CODE = "WBS-0000-0000"  # never issued: 0 is not in CODE_ALPHABET


@functools.lru_cache(maxsize=16)
def _receipt_seal_key(kek: bytes) -> bytes:
    return _hkdf(kek, b"wbs receipt seal")


@functools.lru_cache(maxsize=4)
def _receipt_mac_key(pepper: bytes) -> bytes:
    return _hkdf(pepper, b"wbs receipt mac")


def receipt_key_id(stored: str) -> str | None:
    """The KEK id a keyed receipt hash is sealed under; None for a legacy Argon2id hash."""
    scheme, _, rest = stored.partition("$")
    return rest.partition("$")[0] if scheme == RECEIPT_SCHEME else None


def seal_receipt(ring: Keyring, mac: bytes, *, code: str) -> str:
    """Seal a receipt MAC under the active KEK's receipt key (AES-256-GCM, AAD names the code)."""
    blob = seal(_receipt_seal_key(ring.keys[ring.active]), mac, aad=RECEIPT_SECRET.aad(code))
    return f"{RECEIPT_SCHEME}${ring.active}${_b64(blob)}"


def open_receipt(ring: Keyring, stored: str, *, code: str) -> bytes | None:
    """The MAC inside a keyed receipt hash; None if it is not one, its KEK is gone or it was
    moved to another ticket."""
    scheme, _, rest = stored.partition("$")
    kid, _, body = rest.partition("$")
    if scheme != RECEIPT_SCHEME or kid not in ring.keys:
        return None
    try:
        return unseal(_receipt_seal_key(ring.keys[kid]), _unb64(body), aad=RECEIPT_SECRET.aad(code))
    except (DecryptionError, ValueError):
        return None


def reseal_receipt(ring: Keyring, stored: str, *, code: str) -> str:
    """The same receipt hash sealed under the active KEK (for rotation; no secret needed)."""
    mac = open_receipt(ring, stored, code=code)
    if mac is None:
        raise DecryptionError(f"receipt hash under key {receipt_key_id(stored)} cannot be opened")
    return seal_receipt(ring, mac, code=code)


@dataclass(frozen=True, slots=True)
class ReceiptCheck:
    """A receipt check's result; `rehashed` is the keyed form to store instead when the stored
    one matched but is a legacy Argon2id hash or sealed under an older KEK."""

    ok: bool
    rehashed: str | None = None


class SecretHasher:
    """Receipt secrets as keyed hashes (HMAC-SHA-256, sealed under a KEK). A secret has ~77
    random bits, so a memory-hard hash would add nothing but CPU time; Argon2id stays only to
    check receipts issued before. An unknown code costs the same HMAC and seal-open as a known."""

    def __init__(self, ring: Keyring, *, legacy_time_cost: int, legacy_memory_kib: int) -> None:
        self._ring = ring
        # Only verifies old hashes (their own PHC string names the cost); never hashes.
        self._legacy = PasswordHasher(time_cost=legacy_time_cost, memory_cost=legacy_memory_kib,
                                      parallelism=1)
        self._dummy = seal_receipt(ring, os.urandom(KEY_BYTES), code=_DUMMY_CODE)

    def _mac(self, secret: str) -> bytes:
        key = _receipt_mac_key(self._ring.pepper)
        return hmac.new(key, normalise_secret(secret).encode(), hashlib.sha256).digest()

    def hash(self, secret: str, *, code: str) -> str:
        """HMAC-SHA-256 of the normalised secret, sealed under the active KEK for this code."""
        return seal_receipt(self._ring, self._mac(secret), code=code)

    def verify(self, stored: str | None, secret: str, *, code: str) -> ReceiptCheck:
        """Constant-time check (hmac.compare_digest); an unknown ticket (stored None) still costs
        one HMAC and one seal-open and never matches."""
        if stored is not None and stored.startswith(LEGACY_PREFIX):
            return self._verify_legacy(stored, secret, code=code)
        expected = open_receipt(self._ring, stored, code=code) if stored else None
        dummy = open_receipt(self._ring, self._dummy, code=_DUMMY_CODE) if expected is None else None
        ok = hmac.compare_digest(expected or dummy or b"", self._mac(secret)) and expected is not None
        current = stored is not None and receipt_key_id(stored) == self._ring.active
        return ReceiptCheck(ok, self.hash(secret, code=code) if ok and not current else None)

    def _verify_legacy(self, stored: str, secret: str, *, code: str) -> ReceiptCheck:
        """Argon2id check of a receipt issued before keyed hashes; a match is re-hashed keyed."""
        try:
            ok: bool = self._legacy.verify(stored, normalise_secret(secret))
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            ok = False
        return ReceiptCheck(ok, self.hash(secret, code=code) if ok else None)
