"""The composition root: settings -> keys -> storage -> engine. Channels are added by `run`."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from bot.metrics import Metrics
from bot.settings import Settings
from handlers.engine.context import Services
from handlers.engine.engine import Engine
from handlers.registry import all_flows
from storage import migrations
from storage.crypto import Keyring, SecretHasher
from storage.db import Database, make_engine
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


def load_keyring(settings: Settings) -> Keyring:
    """WBS_MASTER_KEY if set, else the key file (created with 0600 on first start)."""
    if settings.storage.master_key is not None:
        return Keyring.from_master_key(settings.storage.master_key.get_secret_value())
    return Keyring.load_or_create(settings.storage.key_path)


def setup_logging(settings: Settings) -> None:
    """Plain logs on stderr. Libraries that log request URLs (which hold bot tokens) or SQL
    parameters (which hold ciphertexts and reporter digests) are kept at WARNING even in DEBUG."""
    logging.basicConfig(level=settings.runtime.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "httpcore", "aiohttp.access", "telegram.ext.ExtBot", "apscheduler",
                  "aiosqlite", "sqlalchemy.engine", "asyncpg"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def make_data_dir(settings: Settings) -> None:
    """The data directory holds the database and the keys: only the bot's user may enter it."""
    settings.storage.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)


async def build_app(settings: Settings, *, ring: Keyring | None = None,
                    migrate: bool = True) -> App:
    """Wire keys, database and engine; bring the schema to the newest migration
    (`migrate=False`: create tables from the models, for throw-away test databases)."""
    make_data_dir(settings)
    ring = ring or load_keyring(settings)
    db = Database(make_engine(settings.storage.db_url, pool_size=settings.storage.database_pool_size,
                              pool_timeout=settings.storage.database_pool_timeout,
                              schema=settings.storage.database_schema))
    if migrate:
        if await migrations.current(db.engine) != migrations.head():
            await migrations.upgrade(db.engine, schema=settings.storage.database_schema)
    else:
        await db.create_tables()
    hasher = SecretHasher(time_cost=settings.receipts.argon2_time_cost,
                          memory_kib=settings.receipts.argon2_memory_kib)
    services = Services(db=db, ring=ring, hasher=hasher, settings=settings, clock=utcnow)
    metrics = Metrics()
    return App(settings=settings, services=services,
               engine=Engine(services, all_flows(), metrics=metrics), metrics=metrics)
