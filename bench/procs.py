"""Bots under test as subprocesses: start, wait for their webhook, read memory, stop."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
from dataclasses import dataclass
from pathlib import Path

from bench.fake_api import BenchBotApi

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 60.0


def free_port() -> int:
    """A TCP port nobody listens on right now (loopback)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def memory_kib(pid: int) -> dict[str, int]:
    """VmRSS (now) and VmHWM (peak resident set) of a process, in KiB, from /proc."""
    values: dict[str, int] = {}
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0])
    return values


def wbs_env(*, api: BenchBotApi, data_dir: Path, port: int, database_url: str | None = None,
            schema: str | None = None, argon2: tuple[int, int] | None = None,
            extra: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for `wbs run` in webhook mode against the fake Bot API."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WBS_")}
    env |= {
        "WBS_DATA_DIR": str(data_dir),
        "WBS_TELEGRAM_TOKEN": api.token,
        "WBS_TELEGRAM_API_URL": api.base_url,
        "WBS_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "WBS_LISTEN_HOST": "127.0.0.1",
        "WBS_LISTEN_PORT": str(port),
        "WBS_METRICS_LISTEN_PORT": "0",  # any free port: several bots may run side by side
        "WBS_LOG_LEVEL": "WARNING",
        "WBS_TELEGRAM_RATE_PER_CHAT": "1000",  # the fake has no limits; measure our own speed
        "WBS_TELEGRAM_RATE_OVERALL": "100000",
        "WBS_REPORTS_PER_HOUR": "0",  # thousands of simulated reporters file within minutes
        "MALLOC_ARENA_MAX": os.environ.get("MALLOC_ARENA_MAX", "2"),  # as the Docker image runs
    }
    if database_url:
        env["WBS_DATABASE_URL"] = database_url
    if schema:
        env["WBS_DATABASE_SCHEMA"] = schema
    if argon2:
        env["WBS_ARGON2_TIME_COST"], env["WBS_ARGON2_MEMORY_KIB"] = map(str, argon2)
    return env | (extra or {})


@dataclass
class BotProcess:
    """A running bot; `log` collects its stderr."""

    proc: asyncio.subprocess.Process
    log_path: Path

    @property
    def pid(self) -> int:
        """Its process id."""
        return self.proc.pid

    def memory(self) -> dict[str, int]:
        """Its VmRSS and VmHWM in KiB."""
        return memory_kib(self.pid)

    async def stop(self, *, kill: bool = False, timeout: float = 15.0) -> int:
        """SIGTERM (or SIGKILL) and wait; escalates to SIGKILL after `timeout`."""
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), timeout)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()
        return self.proc.returncode or 0


async def start_bot(argv: list[str], *, env: dict[str, str], api: BenchBotApi,
                    log_path: Path) -> BotProcess:
    """Start `argv` and wait until it has registered its webhook with the fake."""
    api.webhook, api.webhook_set = None, asyncio.Event()
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        proc = await asyncio.create_subprocess_exec(*argv, env=env, cwd=ROOT,
                                                    stdout=log, stderr=log,
                                                    stdin=asyncio.subprocess.DEVNULL)
    bot = BotProcess(proc, log_path)
    waiter = asyncio.ensure_future(api.webhook_set.wait())
    exited = asyncio.ensure_future(proc.wait())
    done, _ = await asyncio.wait({waiter, exited}, timeout=START_TIMEOUT,
                                 return_when=asyncio.FIRST_COMPLETED)
    waiter.cancel()
    exited.cancel()
    if waiter not in done:
        await bot.stop(kill=True)
        tail = log_path.read_text(errors="replace")[-3000:]
        raise RuntimeError(f"{argv[-1]} did not register a webhook:\n{tail}")
    await wait_listening(api)
    return bot


async def wait_listening(api: BenchBotApi, timeout: float = 20.0) -> None:
    """Wait until the webhook's port accepts connections (bots register before listening)."""
    from urllib.parse import urlsplit  # noqa: PLC0415

    url = urlsplit((api.webhook or {})["url"])
    async with asyncio.timeout(timeout):
        while True:
            try:
                _, writer = await asyncio.open_connection(url.hostname, url.port)
            except OSError:
                await asyncio.sleep(0.05)
                continue
            writer.close()
            return


def baseline_argv(port: int, api: BenchBotApi, secret: str, *,
                  module: str = "bench.baseline_bot") -> list[str]:
    """An echo bot's command line."""
    return [sys.executable, "-m", module, str(port), api.base_url, api.token, secret]


def wbs_argv() -> list[str]:
    """`wbs run`."""
    return [sys.executable, "-m", "bot", "run"]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (from /proc/<pid>/stat)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
