"""The real `duban run` as child processes on a drill clock, killed and restarted at will, and
the ledger as the drill reads it from outside (plain SQL, its own connections)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from storage import urls
from vocabulary import DEFAULT_TZ

DUBAN = Path(sys.executable).with_name("duban")
# The drill's own connections: the fault injector never cuts these.
DRILL_APP = "duban-drill"


@dataclass
class Process:
    """One `duban run`: its child process and everything it logged."""

    process: asyncio.subprocess.Process
    name: str
    logs: list[dict[str, Any]] = field(default_factory=list)
    raw: list[str] = field(default_factory=list)
    reader: asyncio.Task[None] | None = None

    async def read(self) -> None:
        """Collect stderr line by line (JSON log lines and anything else)."""
        stream = self.process.stderr
        assert stream is not None
        while line := await stream.readline():
            decoded = line.decode(errors="replace").rstrip("\n")
            self.raw.append(decoded)
            if decoded.startswith("{"):
                with contextlib.suppress(ValueError):
                    self.logs.append(json.loads(decoded))

    def said(self, starting: str) -> bool:
        """Return whether a log line's message starts with the text."""
        return any(str(e.get("message", "")).startswith(starting) for e in self.logs)


class Services:
    """Starts, kills and stops `duban run` processes on one drill clock that never goes back."""

    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        self.env = env
        self.cwd = cwd
        self.running: list[Process] = []
        self.finished: list[Process] = []
        self.kills: list[float] = []  # monotonic instants of every kill -9
        self._base: datetime | None = None
        self._base_at = 0.0
        self._count = 0

    def now(self) -> datetime:
        """Return the drill's time now (at least the clock of every process started)."""
        if self._base is None:
            raise RuntimeError("no process has been started")
        return self._base + timedelta(seconds=time.monotonic() - self._base_at)

    async def start(self, at: datetime, replicas: int = 1) -> None:
        """Start `replicas` processes whose clocks read `at` now (never before the drill's)."""
        if self._base is not None:
            at = max(at, self.now() + timedelta(seconds=1))
        self._base, self._base_at = at, time.monotonic()
        for _ in range(replicas):
            self._count += 1
            process = await asyncio.create_subprocess_exec(
                str(DUBAN), "run", "--clock", at.isoformat(), "--log-format", "json",
                env=self.env, cwd=self.cwd,
                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
            )  # fmt: skip
            started = Process(process, f"duban-{self._count}")
            started.reader = asyncio.get_running_loop().create_task(started.read())
            self.running.append(started)
        async with asyncio.timeout(60):
            while not all(p.said("serving") for p in self.running):
                for p in self.running:
                    if p.process.returncode is not None:
                        raise RuntimeError(f"{p.name} exited: {p.raw[-5:]}")
                await asyncio.sleep(0.05)

    async def kill(self) -> None:
        """kill -9 every running process, as a power cut would."""
        self.kills.append(time.monotonic())
        for p in self.running:
            if p.process.returncode is None:
                p.process.send_signal(signal.SIGKILL)
        await self._reap()

    async def stop(self) -> None:
        """SIGTERM every running process and wait for each to end cleanly."""
        for p in self.running:
            if p.process.returncode is None:
                p.process.send_signal(signal.SIGTERM)
        await self._reap()

    async def _reap(self) -> None:
        for p in self.running:
            try:
                async with asyncio.timeout(20):
                    await p.process.wait()
            except TimeoutError:
                p.process.kill()
                await p.process.wait()
            if p.reader is not None:
                await p.reader
        self.finished += self.running
        self.running = []

    def all_logs(self) -> list[dict[str, Any]]:
        """Return every JSON log line of every process so far."""
        return [e for p in self.finished + self.running for e in p.logs]

    def raw_lines(self) -> list[str]:
        """Return every stderr line of every process so far."""
        return [line for p in self.finished + self.running for line in p.raw]


class Ledger:
    """The drill's own read-only look at the database (it retries through outages)."""

    def __init__(self, url: str) -> None:
        parsed = urls.parse(url)
        args: dict[str, Any] = {}
        if parsed.get_backend_name() == "postgresql":
            args = {"server_settings": {"application_name": DRILL_APP}, "timeout": 5}
        self.engine: AsyncEngine = create_async_engine(parsed, connect_args=args)

    async def rows(self, sql: str, **params: Any) -> list[Any]:
        """Run a query, trying again while the database is away."""
        for attempt in range(240):
            try:
                async with self.engine.connect() as conn:
                    return list(await conn.execute(text(sql), params))
            except Exception:
                if attempt == 239:
                    raise
                await asyncio.sleep(0.25)
        raise AssertionError("unreachable")

    async def scalar(self, sql: str, **params: Any) -> Any:
        """Run a query for one value."""
        return (await self.rows(sql, **params))[0][0]

    async def close(self) -> None:
        """Close the drill's connections."""
        await self.engine.dispose()


def local(instant: datetime) -> datetime:
    """Return an instant in the office's time zone."""
    return instant.astimezone(DEFAULT_TZ)


def environment(token: str, base_url: str, database_url: str) -> dict[str, str]:
    """Return the environment of `duban run` against the emulator and the drill's ledger."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TELEGRAM_", "DUBAN_", "WECOM_"))
    }
    env.update(
        TELEGRAM_BOT_TOKEN=token,
        TELEGRAM_API_BASE_URL=base_url,
        DUBAN_DATABASE_URL=database_url,
        # Each replica serves its own board: on one host they need ports of their own.
        DUBAN_HTTP_PORT="0",
        NO_PROXY="127.0.0.1,localhost",
        no_proxy="127.0.0.1,localhost",
    )
    return env
