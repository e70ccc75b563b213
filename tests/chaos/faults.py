"""Database faults for drills: a PostgreSQL cluster of the drill's own, whose connections it
terminates and which it restarts, and a SQLite file it locks from outside."""

from __future__ import annotations

import asyncio
import contextlib
import glob
import os
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg

from tests.chaos.services import DRILL_APP

FAULTS_APP = "duban-drill-faults"


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else name


def _as_postgres(*args: str) -> list[str]:
    """Return a command run as the postgres user when we are root (initdb refuses root)."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *args]
    return list(args)


@dataclass
class Cluster:
    """A throwaway PostgreSQL server on a loopback port, for one drill session."""

    data: Path
    port: int
    log: Path

    @classmethod
    def create(cls) -> Cluster:
        """initdb and start a cluster (fsync off: it is thrown away)."""
        root = Path(tempfile.mkdtemp(prefix="duban-drill-pg-"))
        root.chmod(0o755)
        data = root / "data"
        log = root / "server.log"
        if os.geteuid() == 0:
            shutil.chown(root, "postgres")
        subprocess.run(
            _as_postgres(_pg_bin("initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
                         "--no-sync", "-E", "UTF8"),
            check=True, capture_output=True,
        )  # fmt: skip
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        cluster = cls(data, port, log)
        cluster._pg_ctl("start")
        return cluster

    def _pg_ctl(self, action: str, *extra: str) -> None:
        options = (
            f"-p {self.port} -k {self.data.parent} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=200"
        )
        subprocess.run(
            _as_postgres(_pg_ctl_bin(), "-D", str(self.data), "-l", str(self.log),
                         "-o", options, "-w", "-t", "60", action, *extra),
            check=True, capture_output=True,
        )  # fmt: skip

    def restart(self) -> None:
        """Restart the server (fast shutdown: every connection is cut)."""
        self._pg_ctl("restart", "-m", "fast")

    def destroy(self) -> None:
        """Stop the server and remove its files."""
        with contextlib.suppress(subprocess.CalledProcessError):
            self._pg_ctl("stop", "-m", "immediate")
        shutil.rmtree(self.data.parent, ignore_errors=True)

    async def database(self, name: str) -> str:
        """Create an empty database; return its URL."""
        admin = await asyncpg.connect(host="127.0.0.1", port=self.port, user="postgres")
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.execute(f'CREATE DATABASE "{name}"')
        finally:
            await admin.close()
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"


def _pg_ctl_bin() -> str:
    return _pg_bin("pg_ctl")


@dataclass
class DatabaseFaults:
    """What a drill did to its database."""

    terminated: int = 0
    restarts: int = 0
    lockouts: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


async def terminate_connections(
    cluster: Cluster, database: str, seconds: float, every: float, faults: DatabaseFaults
) -> None:
    """Terminate every connection of the service to `database` every `every` seconds, for
    `seconds`, and restart the whole server half-way."""
    admin = await _admin(cluster)
    started = time.monotonic()
    restarted = False
    try:
        while (elapsed := time.monotonic() - started) < seconds:
            if not restarted and elapsed >= seconds / 2:
                await admin.close()
                await asyncio.to_thread(cluster.restart)
                faults.restarts += 1
                restarted = True
                admin = await _admin(cluster)
                continue
            try:
                killed = await admin.fetchval(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE datname = $1 AND pid <> pg_backend_pid()"
                    " AND application_name NOT IN ($2, $3)",
                    database,
                    DRILL_APP,
                    FAULTS_APP,
                )
                faults.terminated += int(killed or 0)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
                await asyncio.sleep(0.2)
                admin = await _admin(cluster)
            await asyncio.sleep(every)
    finally:
        faults.seconds += time.monotonic() - started
        await admin.close()


async def _admin(cluster: Cluster) -> asyncpg.Connection:
    for _ in range(100):
        try:
            return await asyncpg.connect(
                host="127.0.0.1",
                port=cluster.port,
                user="postgres",
                database="postgres",
                server_settings={"application_name": FAULTS_APP},
            )
        except (OSError, asyncpg.PostgresError):
            await asyncio.sleep(0.1)
    raise RuntimeError("the drill's PostgreSQL never came back")


async def lock_sqlite(path: Path, seconds: float, faults: DatabaseFaults) -> None:
    """Hold SQLite's write lock from outside for `seconds` (longer than the service's busy
    timeout: its writers then fail with "database is locked", SQLite's kind of outage)."""

    def hold() -> None:
        conn = sqlite3.connect(path, timeout=60, isolation_level=None)
        try:
            conn.execute("BEGIN EXCLUSIVE")
            time.sleep(seconds)
            conn.execute("ROLLBACK")
        finally:
            conn.close()

    started = time.monotonic()
    await asyncio.to_thread(hold)
    faults.lockouts += 1
    faults.seconds += time.monotonic() - started
