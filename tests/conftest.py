"""Shared fixtures: a real database on SQLite and on PostgreSQL, and an opened ledger.

- `database_url`: a URL as users write it (`sqlite:///…` or `postgresql://…`), parametrized
  over SQLite (a file in tmp_path) and PostgreSQL (marker `postgres`: an empty database
  `duban_test_<hex>` on 127.0.0.1:5432 as user postgres). PostgreSQL being down is a failure
  with a clear message, never a skip. Deselect with `-m "not postgres"`.
- `ledger`: an opened `storage.database.Database` on `database_url`, migrated, with the seed
  plan imported as of `LEDGER_NOW`; closed afterwards. Use `async with ledger.session() as s:`.
- `sqlite_url`: only SQLite, for tests that need no second run on PostgreSQL.
- `postgres_url`: only PostgreSQL (mark the test `postgres`), an empty database as well.

On SQLite a session takes the write lock when it begins: do not open a second session
inside one (it waits 30 s for the lock), or open the inner one with `readonly=True`.

Example::

    async def test_something(ledger: Database) -> None:
        async with ledger.session() as session:
            rows = await status_rows(session, LEDGER_NOW)
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import asyncpg
import pytest

from plan_data import default_plan_path
from storage.bootstrap import open_ledger
from storage.database import Database

PG_HOST = "127.0.0.1"
PG_PORT = 5432
PG_USER = "postgres"
LEDGER_NOW = datetime(2022, 1, 4, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
"""The instant at which the `ledger` fixture imported the seed plan (a Tuesday, 09:00)."""


async def _admin(database: str) -> asyncpg.Connection:
    try:
        return await asyncpg.connect(
            host=PG_HOST, port=PG_PORT, user=PG_USER, database=database, timeout=10
        )
    except (OSError, asyncpg.PostgresError) as exc:
        pytest.fail(
            f"PostgreSQL is not reachable at {PG_HOST}:{PG_PORT} as {PG_USER} ({exc}); "
            "start it (see .ci/run) or deselect with -m 'not postgres'",
            pytrace=False,
        )


class PostgresPool:
    """Throwaway PostgreSQL databases made once per session and emptied before each use.

    Creating a database costs about 0.4 s; emptying one (end its connections, drop and
    recreate the `public` schema) costs a few ms, and leaves it exactly as a fresh one.
    """

    def __init__(self) -> None:
        self.free: list[str] = []
        self.made: list[str] = []

    @asynccontextmanager
    async def database(self) -> AsyncIterator[str]:
        """Yield the URL of an empty database that no one else uses until this exits."""
        name = self.free.pop() if self.free else await self._create()
        await _empty(name)
        try:
            yield f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"
        finally:
            self.free.append(name)

    async def _create(self) -> str:
        name = f"duban_test_{secrets.token_hex(6)}"
        admin = await _admin("postgres")
        try:
            await admin.execute(f'CREATE DATABASE "{name}"')
        finally:
            await admin.close()
        self.made.append(name)
        return name

    async def drop_all(self) -> None:
        """Drop every database this pool made."""
        admin = await _admin("postgres")
        try:
            for name in self.made:
                await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


async def _empty(name: str) -> None:
    """End the database's other connections (as DROP … WITH (FORCE) does) and empty it."""
    conn = await _admin(name)
    try:
        await conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def postgres_pool() -> Iterator[PostgresPool]:
    """Share throwaway PostgreSQL databases across the session; drop them at its end."""
    pool = PostgresPool()
    yield pool
    if pool.made:
        asyncio.run(pool.drop_all())


@pytest.fixture
async def postgres_url(postgres_pool: PostgresPool) -> AsyncIterator[str]:
    """Yield the URL of an empty PostgreSQL database for this test alone."""
    async with postgres_pool.database() as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """Return the URL of a SQLite file that does not exist yet."""
    return f"sqlite:///{tmp_path / 'ledger' / 'duban.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, postgres_pool: PostgresPool
) -> AsyncIterator[str]:
    """Yield a URL of an empty database on SQLite, then (second run) on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ledger' / 'duban.db'}"
        return
    async with postgres_pool.database() as url:
        yield url


@pytest.fixture
async def ledger(database_url: str) -> AsyncIterator[Database]:
    """Yield an opened, migrated database with the seed plan imported at LEDGER_NOW."""
    db = await open_ledger(database_url, default_plan_path(), LEDGER_NOW)
    try:
        yield db
    finally:
        await db.close()
