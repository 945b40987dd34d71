"""The HTTP route tables: the public one (webhooks of every channel, health, readiness) and the
operator's (metrics), each served on its own listener so /metrics is never public."""

from __future__ import annotations

import hmac
import logging
from collections.abc import Sequence

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from bot.app import App
from bot.channels.base import Channel
from bot.metrics import CONTENT_TYPE, outbox_backlog
from storage import migrations

request_log = logging.getLogger(__name__)
MAX_BODY_BYTES = 1024 * 1024  # webhooks are small; media is fetched separately


async def healthz(_request: web.Request) -> web.Response:
    """Liveness: the process answers."""
    return web.json_response({"status": "ok"})


def readiness(app: App) -> web.RouteDef:
    """Readiness: the database answers and is at the newest migration."""

    async def readyz(_request: web.Request) -> web.Response:
        try:
            current = await migrations.is_current(app.db.engine)
        except Exception:  # noqa: BLE001 - any failure means "not ready"
            return web.json_response({"status": "database unavailable"}, status=503)
        if not current:
            return web.json_response({"status": "migrations pending"}, status=503)
        return web.json_response({"status": "ready"})

    return web.get("/readyz", readyz)


def metrics(app: App) -> web.RouteDef:
    """Prometheus metrics (no ids or content in any label); the backlog is counted per scrape."""

    async def view(_request: web.Request) -> web.Response:
        try:
            app.metrics.backlog(await app.db.read(lambda s: outbox_backlog(session=s)))
        except Exception:  # noqa: BLE001 - counters still answer while the database is away
            request_log.warning("outbox backlog unavailable")
        return web.Response(body=app.metrics.render(), headers={"Content-Type": CONTENT_TYPE})

    return web.get("/metrics", view)


def route_table(app: App, channels: Sequence[Channel]) -> list[web.RouteDef]:
    """Every public endpoint of the service, in one list (what a proxy may expose)."""
    routes = [web.get("/healthz", healthz), readiness(app)]
    for channel in channels:
        routes.extend(channel.routes())
    return routes


def operator_route_table(app: App) -> list[web.RouteDef]:
    """The endpoints of the operator's listener (WBS_METRICS_LISTEN_HOST/PORT)."""
    return [metrics(app)]


def bearer_token(token: str) -> Middleware:
    """Refuse (401) a request without `Authorization: Bearer <token>` (constant-time compare)."""
    expected = f"Bearer {token}".encode()

    @web.middleware
    async def check(request: web.Request, handler: Handler) -> web.StreamResponse:
        given = request.headers.get("Authorization", "").encode()
        if not hmac.compare_digest(given, expected):
            return web.json_response({"error": "unauthorized"}, status=401,
                                     headers={"WWW-Authenticate": "Bearer"})
        return await handler(request)

    return check


@web.middleware
async def never_500(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A malformed request must get a 4xx; an unexpected error is logged without the body."""
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except Exception as exc:  # noqa: BLE001 - the type only: messages can quote the body, and
        # the path of a webhook is a secret
        request_log.error("%s request failed: %s", request.method, type(exc).__name__)
        return web.json_response({"error": "bad request"}, status=400)


def build_web_app(app: App, channels: Sequence[Channel]) -> web.Application:
    """The aiohttp application serving the public route table."""
    web_app = web.Application(client_max_size=MAX_BODY_BYTES, middlewares=[never_500])
    web_app.add_routes(route_table(app, channels))
    return web_app


def build_metrics_app(app: App) -> web.Application:
    """The operator's aiohttp application: /metrics, behind WBS_METRICS_TOKEN when it is set."""
    token = app.settings.web.metrics_token
    guards = [bearer_token(token.get_secret_value())] if token is not None else []
    web_app = web.Application(client_max_size=MAX_BODY_BYTES, middlewares=[*guards, never_500])
    web_app.add_routes(operator_route_table(app))
    return web_app
