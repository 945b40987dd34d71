"""Key rotation and retirement: a new key-encryption key (KEK) becomes active, every data key
is re-wrapped and every ephemeral blob and keyed receipt hash re-sealed under it; an old KEK is
removed from the key file only when nothing uses it any more. Run with the bot stopped: running workers keep
the keyring they started with."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Column, Table, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel, col

from storage.crypto import (
    RECEIPT_SCHEME,
    Contract,
    Keyring,
    ephemeral_key_id,
    receipt_key_id,
    reseal_receipt,
    seal_ephemeral,
    unseal_ephemeral,
    unwrap_data_key,
    wrap_data_key,
)
from storage.db import Database, Work
from storage.models import DataKey, Ticket
from storage.models.conversation import CONVERSATION_STATE
from storage.models.draft import DRAFT_FILE_DATA, DRAFT_FILE_NAME
from storage.models.inbox import INBOX_PAYLOAD, INBOX_REPLIES
from storage.models.outbox import OUTBOX_PAYLOAD, OUTBOX_ROUTE
from storage.models.reminder import GIFT_REMINDER_ROUTE

# Every column written with seal_ephemeral; its AAD row id is the table's primary key.
# tests/deploy/test_keys.py fails when a seal_ephemeral call uses a contract missing here.
EPHEMERAL: tuple[Contract, ...] = (
    CONVERSATION_STATE, INBOX_PAYLOAD, INBOX_REPLIES, OUTBOX_ROUTE, OUTBOX_PAYLOAD, DRAFT_FILE_NAME,
    DRAFT_FILE_DATA, GIFT_REMINDER_ROUTE,
)
BATCH = 200
PREFIX_BYTES = 64  # enough of a blob to read the KEK id it names


class KeyAdminError(Exception):
    """A key operation was refused; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class Rotation:
    """What a rotation did: the new active KEK id and how many values were re-encrypted."""

    active: str
    rewrapped: int
    resealed: int


def _columns(contract: Contract) -> tuple[Table, Column, Column]:
    table = SQLModel.metadata.tables[contract.table]
    (pk,) = table.primary_key.columns
    return table, pk, table.c[contract.column]


async def rewrap_data_keys(*, session: AsyncSession, ring: Keyring, limit: int = BATCH) -> int:
    """Re-wrap up to `limit` data keys not under the active KEK (AES-256-GCM); returns how many."""
    rows = (await session.execute(
        select(DataKey).where(col(DataKey.kek_id) != ring.active).limit(limit))).scalars().all()
    for row in rows:
        key = unwrap_data_key(ring, row.kek_id, row.wrapped, key_row_id=row.id)
        row.kek_id, row.wrapped = wrap_data_key(ring, key, key_row_id=row.id)
    await session.flush()
    return len(rows)


async def reseal_ephemeral(
    *, session: AsyncSession, ring: Keyring, contract: Contract, after: str, limit: int = BATCH,
) -> tuple[str | None, int]:
    """Re-seal (AES-256-GCM) one batch of a column's blobs under the active KEK, in primary-key
    order after `after`; returns (the last key seen, or None when done; how many were re-sealed)."""
    table, pk, column = _columns(contract)
    rows = (await session.execute(
        select(pk, column).where(column.is_not(None), pk > after).order_by(pk).limit(limit))).all()
    changed = 0
    for row_id, blob in rows:
        if ephemeral_key_id(blob) == ring.active:
            continue
        plain = unseal_ephemeral(ring, blob, contract=contract, row_id=row_id)
        fresh = seal_ephemeral(ring, plain, contract=contract, row_id=row_id)
        await session.execute(update(table).where(pk == row_id).values({column.name: fresh}))
        changed += 1
    return (rows[-1][0] if len(rows) == limit else None), changed


async def reseal_receipts(*, session: AsyncSession, ring: Keyring, after: str,
                          limit: int = BATCH) -> tuple[str | None, int]:
    """Re-seal (AES-256-GCM) one batch of keyed receipt hashes under the active KEK, in ticket-id
    order after `after`; the HMAC inside is unchanged, so no secret is needed. Legacy Argon2id
    hashes use no key and stay as they are until their reporter's next check."""
    rows = (await session.execute(
        select(col(Ticket.id), col(Ticket.code), col(Ticket.secret_hash))
        .where(col(Ticket.id) > after).order_by(col(Ticket.id)).limit(limit))).all()
    changed = 0
    for ticket_id, code, stored in rows:
        if receipt_key_id(stored) in (None, ring.active):
            continue
        await session.execute(update(Ticket).where(col(Ticket.id) == ticket_id)
                              .values(secret_hash=reseal_receipt(ring, stored, code=code)))
        changed += 1
    return (rows[-1][0] if len(rows) == limit else None), changed


async def key_usage(*, session: AsyncSession) -> Counter[str]:
    """How many data keys, ephemeral blobs and receipt hashes each KEK id protects."""
    usage: Counter[str] = Counter()
    for kek_id, count in await session.execute(
            select(col(DataKey.kek_id), func.count()).group_by(col(DataKey.kek_id))):
        usage[kek_id] += count
    for contract in EPHEMERAL:
        _table, _pk, column = _columns(contract)
        prefixes = await session.execute(
            select(func.substr(column, 1, PREFIX_BYTES)).where(column.is_not(None)))
        usage.update(ephemeral_key_id(bytes(p)) for (p,) in prefixes)
    receipts = await session.execute(select(col(Ticket.secret_hash))
                                     .where(col(Ticket.secret_hash).startswith(RECEIPT_SCHEME + "$")))
    usage.update(kid for (stored,) in receipts if (kid := receipt_key_id(stored)))
    return usage


async def reencrypt_all(db: Database, ring: Keyring) -> tuple[int, int]:
    """Bring every data key and ephemeral blob under the active KEK, in short transactions;
    returns (data keys re-wrapped, blobs re-sealed). Safe to run again after an interruption."""
    rewrapped = resealed = 0
    while n := await db.transaction(lambda s: rewrap_data_keys(session=s, ring=ring)):
        rewrapped += n
    for contract in EPHEMERAL:
        after: str | None = ""
        while after is not None:
            after, n = await db.transaction(_reseal_batch(ring, contract, after))
            resealed += n
    after = ""
    while after is not None:
        after, n = await db.transaction(_reseal_receipts_batch(ring, after))
        resealed += n
    return rewrapped, resealed


def _reseal_batch(ring: Keyring, contract: Contract, after: str) -> Work[tuple[str | None, int]]:
    """One `reseal_ephemeral` batch as a unit of work, its arguments bound now (not late)."""
    async def work(session: AsyncSession) -> tuple[str | None, int]:
        return await reseal_ephemeral(session=session, ring=ring, contract=contract, after=after)
    return work


def _reseal_receipts_batch(ring: Keyring, after: str) -> Work[tuple[str | None, int]]:
    """One `reseal_receipts` batch as a unit of work, its arguments bound now."""
    async def work(session: AsyncSession) -> tuple[str | None, int]:
        return await reseal_receipts(session=session, ring=ring, after=after)
    return work


def _require_key_file(key_path: Path | None) -> Path:
    if key_path is None:
        raise KeyAdminError(
            "the keys come from WBS_MASTER_KEY: one key derived from an environment secret "
            "cannot be rotated or retired. Rotation needs a key file (WBS_KEY_FILE) instead.")
    return key_path


async def rotate(db: Database, ring: Keyring, key_path: Path | None) -> tuple[Keyring, Rotation]:
    """Add a new active KEK, save the key file (first, so a crash loses nothing), re-encrypt."""
    path = _require_key_file(key_path)
    new_ring = ring.rotated()
    new_ring.save(path)
    rewrapped, resealed = await reencrypt_all(db, new_ring)
    return new_ring, Rotation(new_ring.active, rewrapped, resealed)


async def retire(db: Database, ring: Keyring, key_path: Path | None, key_id: str) -> Keyring:
    """Remove KEK `key_id` from the key file; refused while it is active or still in use."""
    path = _require_key_file(key_path)
    if key_id not in ring.keys:
        raise KeyAdminError(f"there is no key {key_id!r}; known: {', '.join(sorted(ring.keys))}")
    if key_id == ring.active:
        raise KeyAdminError(f"{key_id} is the active key; run `wbs keys rotate` first")
    in_use = (await db.read(lambda s: key_usage(session=s)))[key_id]
    if in_use:
        raise KeyAdminError(
            f"{key_id} still protects {in_use} value(s); stop the bot and run `wbs keys rewrap`")
    kept = Keyring(keys={k: v for k, v in ring.keys.items() if k != key_id}, active=ring.active,
                   pepper=ring.pepper)
    kept.save(path)
    return kept
