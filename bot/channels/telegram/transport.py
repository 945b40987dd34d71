"""An aiohttp transport for python-telegram-bot (`telegram.request.BaseRequest`).

PTB's default httpx transport collapses under concurrency (see ARCHITECTURE.md, "Performance
notes"); this one keeps one `aiohttp.ClientSession` with a sized connector per bot, shared by
the general request object and the `getUpdates` one (`build_requests`).

Timeouts map onto aiohttp as follows: `connect_timeout` -> `sock_connect`, `pool_timeout +
connect_timeout` -> `connect` (aiohttp counts waiting for a pooled connection as connecting),
`read_timeout` -> `sock_read`, and when every part is finite their sum (with the write
timeout) bounds the whole request, because aiohttp has no separate write timeout. Timeouts
raise PTB's `TimedOut`, other transport failures its `NetworkError`, so PTB's own retry and
error handling keep working unchanged.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

JSON_HEADERS = {"Content-Type": "application/json"}


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Default timeouts in seconds (None = wait forever), as PTB's HTTPXRequest names them."""

    read: float | None = 5.0
    write: float | None = 5.0
    connect: float | None = 5.0
    pool: float | None = 1.0
    media_write: float | None = 20.0


@dataclass(slots=True)
class SharedSession:
    """One `aiohttp.ClientSession` used by several request objects, closed by the last user."""

    pool_size: int = 256
    _session: aiohttp.ClientSession | None = field(default=None, init=False)
    _users: int = field(default=0, init=False)

    def get(self) -> aiohttp.ClientSession:
        """The open session (RuntimeError if no request object initialised it)."""
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        return self._session

    async def acquire(self) -> None:
        """Open the session on first use (inside the running loop, as aiohttp wants)."""
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                limit=self.pool_size, limit_per_host=self.pool_size, ttl_dns_cache=300
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                headers={"User-Agent": BaseRequest.USER_AGENT},
                # Bot API responses are small JSON; skip aiohttp's cookie handling entirely.
                cookie_jar=aiohttp.DummyCookieJar(),
            )
            self._users = 0
        self._users += 1

    async def release(self) -> None:
        """Close the session when its last user shuts down."""
        self._users = max(0, self._users - 1)
        if self._users == 0 and self._session is not None and not self._session.closed:
            await self._session.close()


class AiohttpRequest(BaseRequest):
    """`BaseRequest` over aiohttp: JSON/form posts, multipart uploads, file downloads."""

    __slots__ = ("_initialized", "_resolved", "_shared", "_timeouts")

    def __init__(
        self,
        *,
        connection_pool_size: int = 256,
        timeouts: Timeouts | None = None,
        shared: SharedSession | None = None,
    ) -> None:
        self._shared = shared or SharedSession(pool_size=connection_pool_size)
        self._timeouts = timeouts or Timeouts()
        self._initialized = False
        # resolved timeouts per combination of PTB's arguments (a handful in practice)
        self._resolved: dict[tuple[object, ...], aiohttp.ClientTimeout] = {}

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout (PTB adds the long-poll timeout to it for getUpdates)."""
        return self._timeouts.read

    async def initialize(self) -> None:
        """Open (or join) the shared session."""
        if not self._initialized:
            await self._shared.acquire()
            self._initialized = True

    async def shutdown(self) -> None:
        """Leave the shared session; the last one out closes it."""
        if self._initialized:
            self._initialized = False
            await self._shared.release()

    def _client_timeout(
        self,
        *,
        has_files: bool,
        read: ODVInput[float],
        write: ODVInput[float],
        connect: ODVInput[float],
        pool: ODVInput[float],
    ) -> aiohttp.ClientTimeout:
        """Resolve PTB's per-call timeouts against our defaults into an aiohttp timeout."""
        defaults = self._timeouts
        read_s = defaults.read if isinstance(read, DefaultValue) else read
        connect_s = defaults.connect if isinstance(connect, DefaultValue) else connect
        pool_s = defaults.pool if isinstance(pool, DefaultValue) else pool
        if isinstance(write, DefaultValue):
            write_s = defaults.media_write if has_files else defaults.write
        else:
            write_s = write
        parts = (read_s, write_s, connect_s, pool_s)
        total = None if any(p is None for p in parts) else sum(p for p in parts if p is not None)
        acquire = None if connect_s is None or pool_s is None else connect_s + pool_s
        return aiohttp.ClientTimeout(
            total=total, connect=acquire, sock_connect=connect_s, sock_read=read_s
        )

    async def do_request(  # noqa: PLR0917 -- signature fixed by PTB's BaseRequest
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one request; return the HTTP status and body (PTB parses and maps errors)."""
        session = self._shared.get()
        has_files = bool(request_data and request_data.contains_files)
        key = (has_files, read_timeout, write_timeout, connect_timeout, pool_timeout)
        if (timeout := self._resolved.get(key)) is None:
            timeout = self._client_timeout(has_files=has_files, read=read_timeout,
                                           write=write_timeout, connect=connect_timeout,
                                           pool=pool_timeout)
            if len(self._resolved) < 64:  # noqa: PLR2004 - a bound, not a tuning knob
                self._resolved[key] = timeout
        body = _body(request_data) if request_data else None
        headers = JSON_HEADERS if isinstance(body, bytes) else None
        try:
            async with session.request(method, url, data=body, headers=headers,
                                       timeout=timeout) as response:
                return response.status, await response.read()
        except TimeoutError as exc:  # aiohttp's timeout errors subclass TimeoutError
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {exc}") from exc


def _body(request_data: RequestData) -> aiohttp.FormData | bytes:
    """A JSON body (the Bot API reads JSON as well as forms, and building a form costs aiohttp
    several times more); multipart with the file parts when uploading."""
    if not request_data.contains_files:
        return json.dumps(request_data.parameters, ensure_ascii=False).encode()
    form = aiohttp.FormData(quote_fields=False)
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mimetype) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form


def build_requests(
    *,
    connection_pool_size: int = 256,
    timeouts: Timeouts | None = None,
) -> tuple[AiohttpRequest, AiohttpRequest]:
    """A (general, getUpdates) pair of request objects sharing one session.

    Pass them to `ApplicationBuilder().request(general).get_updates_request(updates)`.
    """
    shared = SharedSession(pool_size=connection_pool_size)
    general = AiohttpRequest(timeouts=timeouts, shared=shared)
    updates = AiohttpRequest(timeouts=timeouts, shared=shared)
    return general, updates
