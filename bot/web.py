"""The one HTTP route table: webhooks of every channel plus health, readiness and metrics."""

from __future__ import annotations

from collections.abc import Sequence

from aiohttp import web

from bot.app import App
from bot.channels.base import Channel

MAX_BODY_BYTES = 1024 * 1024  # webhooks are small; media is fetched separately


async def healthz(_request: web.Request) -> web.Response:
    """Liveness: the process answers."""
    return web.json_response({"status": "ok"})


def readiness(app: App) -> web.RouteDef:
    """Readiness: the database answers."""

    async def readyz(_request: web.Request) -> web.Response:
        try:
            async with app.db.engine.connect() as conn:
                await conn.exec_driver_sql("SELECT 1")
        except Exception:  # noqa: BLE001 - any failure means "not ready"
            return web.json_response({"status": "database unavailable"}, status=503)
        return web.json_response({"status": "ready"})

    return web.get("/readyz", readyz)


def route_table(app: App, channels: Sequence[Channel]) -> list[web.RouteDef]:
    """Every endpoint of the service, in one list."""
    routes = [web.get("/healthz", healthz), readiness(app)]
    for channel in channels:
        routes.extend(channel.routes())
    return routes


@web.middleware
async def never_500(request: web.Request, handler: web.Handler) -> web.StreamResponse:
    """A malformed request must get a 4xx; an unexpected error is logged without the body."""
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except Exception:
        request.app.logger.exception("request to %s failed", request.path)
        return web.json_response({"error": "bad request"}, status=400)


def build_web_app(app: App, channels: Sequence[Channel]) -> web.Application:
    """The aiohttp application serving the route table."""
    web_app = web.Application(client_max_size=MAX_BODY_BYTES, middlewares=[never_500])
    web_app.add_routes(route_table(app, channels))
    return web_app
