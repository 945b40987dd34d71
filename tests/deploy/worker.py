"""A bot worker for the several-workers test: the real app and engine behind a tiny webhook.

Run as `python -m tests.deploy.worker` with WBS_* settings in the environment; prints its
port on stdout. POST /update {"id", "handle", "text"|"option"|"file"} stores the update in the
durable inbox (a redelivery is acknowledged without effect) and runs the engine's turn."""

from __future__ import annotations

import asyncio
import json
import signal

from aiohttp import web

from bot.app import App, build_app, setup_logging
from bot.settings import load_settings, read_environment
from handlers.engine.types import Attachment, ChannelKind, Inbound
from storage.inbox import accept_update, mark_processed


def routes(app: App) -> list[web.RouteDef]:
    """The test webhook."""

    async def update(request: web.Request) -> web.Response:
        raw = await request.read()
        body = json.loads(raw)
        svc = app.services
        inbox_id = (await svc.db.write(lambda s: accept_update(
            session=s, ring=svc.ring, channel="telegram", external_id=body["id"], payload=raw,
            now=svc.clock()))).inbox_id
        if inbox_id is None:
            return web.json_response({"duplicate": True})
        name = body.get("file")
        files = (Attachment(name, "application/pdf", b"%PDF-1.4 " + name.encode()),) if name else ()
        inbound = Inbound(ChannelKind.TELEGRAM, body["handle"], text=body.get("text"),
                          option=body.get("option"), attachments=files, external_id=body["id"])
        replies = await app.engine.handle(inbound, inbox_id=inbox_id)
        await svc.db.write(lambda s: mark_processed(session=s, inbox_id=inbox_id,
                                                    now=svc.clock()))
        return web.json_response({"texts": [m.text for m in replies],
                                  "options": [o.id for m in replies for o in m.options]})

    return [web.post("/update", update)]


async def main() -> None:
    """Serve until SIGTERM."""
    settings = load_settings(read_environment())
    setup_logging(settings)
    app = await build_app(settings)
    runner = web.AppRunner(web.Application())
    runner.app.add_routes(routes(app))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    print(port, flush=True)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    await runner.cleanup()
    await app.close()


if __name__ == "__main__":
    asyncio.run(main())
