"""Files attached to a draft, sealed until the report is submitted or abandoned."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.crypto import Keyring, seal_ephemeral, unseal_ephemeral
from storage.models import DraftAttachment
from storage.models.draft import DRAFT_FILE_DATA, DRAFT_FILE_NAME


@dataclass(frozen=True, slots=True)
class DraftFile:
    """A decrypted draft attachment."""

    id: str
    name: str
    content_type: str
    data: bytes


async def add_draft_file(
    *, session: AsyncSession, ring: Keyring, digest: str, file_id: str, name: str,
    content_type: str, data: bytes, now: datetime,
) -> None:
    """Keep a file for this reporter's draft."""
    row = DraftAttachment(id=file_id, digest=digest, content_type=content_type, size=len(data),
                          name=b"", data=b"", created_at=now)
    row.name = seal_ephemeral(ring, name.encode(), contract=DRAFT_FILE_NAME, row_id=file_id)
    row.data = seal_ephemeral(ring, data, contract=DRAFT_FILE_DATA, row_id=file_id)
    session.add(row)
    await session.flush()


async def draft_files(*, session: AsyncSession, ring: Keyring, digest: str) -> list[DraftFile]:
    """This reporter's draft files, decrypted, oldest first."""
    rows = (await session.execute(
        select(DraftAttachment).where(col(DraftAttachment.digest) == digest)
        .order_by(col(DraftAttachment.created_at))
    )).scalars()
    return [DraftFile(
        r.id, unseal_ephemeral(ring, r.name, contract=DRAFT_FILE_NAME, row_id=r.id).decode(),
        r.content_type, unseal_ephemeral(ring, r.data, contract=DRAFT_FILE_DATA, row_id=r.id),
    ) for r in rows]


async def drop_draft_files(*, session: AsyncSession, digest: str) -> None:
    """Delete a reporter's draft files (cancel, submit, expiry)."""
    await session.execute(delete(DraftAttachment).where(col(DraftAttachment.digest) == digest))
