"""The composition root: settings -> keys -> storage -> engine. Channels are added by `run`."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from bot.metrics import Metrics
from bot.settings import Settings
from handlers.engine.context import Services
from handlers.engine.engine import Engine
from handlers.registry import all_flows
from storage import migrations
from storage.crypto import KeyFileError, Keyring, SecretHasher
from storage.db import Database, make_engine
from storage.models import DataKey
from storage.models.base import utcnow


@dataclass
class App:
    """Everything a channel needs to serve people."""

    settings: Settings
    services: Services
    engine: Engine
    metrics: Metrics = field(default_factory=Metrics)

    @property
    def db(self) -> Database:
        """The database."""
        return self.services.db

    async def close(self) -> None:
        """Flush writes and close the database."""
        await self.services.db.close()


async def load_keyring(settings: Settings, db: Database) -> Keyring:
    """WBS_MASTER_KEY if set, else the key file (see Keyring.load). A new key file is created
    only for a database that holds no data keys yet: otherwise a lost key file would silently
    become a new keyring that cannot open a single report."""
    if settings.storage.master_key is not None:
        return Keyring.from_master_key(settings.storage.master_key.get_secret_value())
    path = settings.storage.key_path
    if not path.exists() and await db.read(_holds_data_keys):
        raise KeyFileError(
            f"key file {path} is missing but the database holds encrypted reports; restore the "
            "key file from your backup (or point WBS_KEY_FILE / WBS_MASTER_KEY at it) and start again")
    return Keyring.load_or_create(path)


async def _holds_data_keys(session: AsyncSession) -> bool:
    return (await session.execute(select(col(DataKey.id)).limit(1))).first() is not None


# Libraries that log request URLs (which hold bot tokens), SQL parameters (ciphertexts and
# reporter digests) or file metadata (Pillow logs every EXIF tag of a photo, GPS and camera
# owner included, at DEBUG) stay at WARNING whatever WBS_LOG_LEVEL says.
QUIET_LIBRARIES = ("httpx", "httpcore", "aiohttp", "telegram", "apscheduler", "aiosqlite",
                   "sqlalchemy", "asyncpg", "PIL", "multipart", "urllib3", "charset_normalizer")


def setup_logging(settings: Settings) -> None:
    """Plain logs on stderr; chatty libraries (QUIET_LIBRARIES) are kept at WARNING even in DEBUG."""
    logging.basicConfig(level=settings.runtime.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in QUIET_LIBRARIES:
        logging.getLogger(noisy).setLevel(logging.WARNING)


def make_data_dir(settings: Settings) -> None:
    """The data directory holds the database and the keys: only the bot's user may enter it."""
    settings.storage.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)


async def build_app(settings: Settings, *, ring: Keyring | None = None,
                    migrate: bool = True) -> App:
    """Wire keys, database and engine; bring the schema to the newest migration
    (`migrate=False`: create tables from the models, for throw-away test databases)."""
    make_data_dir(settings)
    db = Database(make_engine(settings.storage.db_url, pool_size=settings.storage.database_pool_size,
                              pool_timeout=settings.storage.database_pool_timeout,
                              schema=settings.storage.database_schema))
    try:
        if migrate:
            if await migrations.current(db.engine) != migrations.head():
                await migrations.upgrade(db.engine, schema=settings.storage.database_schema)
        else:
            await db.create_tables()
        ring = ring or await load_keyring(settings, db)
    except BaseException:
        await db.close()
        raise
    hasher = SecretHasher(ring, legacy_time_cost=settings.receipts.argon2_time_cost,
                          legacy_memory_kib=settings.receipts.argon2_memory_kib)
    services = Services(db=db, ring=ring, hasher=hasher, settings=settings, clock=utcnow)
    metrics = Metrics()
    return App(settings=settings, services=services,
               engine=Engine(services, all_flows(), metrics=metrics), metrics=metrics)
