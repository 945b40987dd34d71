"""`wbs run`: start every configured channel, the web server, the outbox sender and the
scheduler; without any bot token, chat in the terminal instead."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys

from aiohttp import web

from bot.app import App, build_app, make_data_dir, setup_logging
from bot.channels.base import Channel
from bot.channels.telegram.channel import telegram_channels
from bot.channels.telegram.officers.notices import notice_channels
from bot.channels.telegram.officers.receive import officer_channels
from bot.channels.whatsapp.channel import whatsapp_channels
from bot.outbox_sender import OutboxSender
from bot.scheduler import Scheduler
from bot.settings import Settings
from bot.web import build_metrics_app, build_web_app
from storage import migrations
from storage.db import make_engine

log = logging.getLogger(__name__)


def enabled_channels(app: App) -> list[Channel]:
    """The channels whose settings are filled in (each adapter adds its line here)."""
    channels: list[Channel] = []
    channels.extend(telegram_channels(app))
    channels.extend(whatsapp_channels(app))
    channels.extend(officer_channels(app, channels))  # "team": rides on the Telegram bot
    channels.extend(notice_channels(channels, app))  # digests and SLA reminders, same bot
    return channels


async def serve(app: App, channels: list[Channel], stop: asyncio.Event) -> None:
    """Run channels, web server and outbox sender until `stop` is set; then shut down cleanly."""
    settings = app.settings
    web_runner = web.AppRunner(build_web_app(app, channels), access_log=None)
    await web_runner.setup()
    site = web.TCPSite(web_runner, settings.web.listen_host, settings.web.listen_port)
    await site.start()
    # /metrics on its own listener (loopback by default), never beside the public webhooks
    metrics_runner = web.AppRunner(build_metrics_app(app), access_log=None)
    await metrics_runner.setup()
    await web.TCPSite(metrics_runner, settings.web.metrics_listen_host,
                      settings.web.metrics_listen_port).start()
    sender = OutboxSender(app, {c.name: c.deliver for c in channels})
    app.services.poke_outbox = sender.poke
    for channel in channels:
        await channel.start()
    sender.start()
    scheduler = Scheduler(app)
    if settings.scheduler.enabled:
        scheduler.start()
    log.info("running channels: %s", ", ".join(c.name for c in channels))
    await stop.wait()
    log.info("shutting down")
    await site.stop()  # no new webhooks: the platform retries them at another worker
    await scheduler.stop()
    grace = settings.runtime.shutdown_grace_seconds
    await engine_idle(app, grace)  # updates in hand finish their turn
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(sender.stop(), grace)  # flush while the channels can still send
    for channel in channels:
        await channel.stop()
    await web_runner.cleanup()
    await metrics_runner.cleanup()


async def engine_idle(app: App, timeout: float) -> bool:
    """Wait until no conversation has a turn running (or `timeout` passes); True when idle."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while len(app.engine.locks) and loop.time() < deadline:
        await asyncio.sleep(0.05)
    if len(app.engine.locks):
        log.warning("stopping with %d conversation(s) still busy", len(app.engine.locks))
    return not len(app.engine.locks)


async def migrate_apart(settings: Settings) -> None:
    """Bring the database to the newest migration in a child `wbs migrate` when it is behind:
    the bot then runs for months without alembic in its memory (see storage/migrations)."""
    make_data_dir(settings)
    engine = make_engine(settings.storage.db_url, schema=settings.storage.database_schema)
    try:
        behind = await migrations.current(engine) != migrations.head()
    finally:
        await engine.dispose()
    if not behind:
        return
    log.info("migrating the database to %s", migrations.head())
    child = await asyncio.create_subprocess_exec(  # the same environment, so the same settings
        sys.executable, "-m", "bot", "migrate", stdout=asyncio.subprocess.DEVNULL)
    if await child.wait() != 0:
        raise RuntimeError("the database migration failed; its error is above")


async def run(settings: Settings, args: argparse.Namespace) -> int:
    """Run until SIGINT/SIGTERM. Without any bot token this is the terminal chat."""
    setup_logging(settings)
    await migrate_apart(settings)
    app = await build_app(settings)
    try:
        channels = enabled_channels(app)
        if not channels:
            from bot.channels.console import ConsoleChat  # noqa: PLC0415

            log.info("no bot token configured: chatting in the terminal")
            await ConsoleChat(app, session=getattr(args, "session", None)).run()
            return 0
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, stop.set)
        await serve(app, channels, stop)
    finally:
        await app.close()
    return 0
