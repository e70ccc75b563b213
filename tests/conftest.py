"""Shared fixtures: a real database on SQLite and on PostgreSQL, and an opened ledger.

- `database_url`: a URL as users write it (`sqlite:///…` or `postgresql://…`), parametrized
  over SQLite (a file in tmp_path) and PostgreSQL (marker `postgres`: a throwaway database
  `duban_test_<hex>` on 127.0.0.1:5432 as user postgres, dropped afterwards). PostgreSQL
  being down is a failure with a clear message, never a skip. Deselect with `-m "not postgres"`.
- `ledger`: an opened `storage.database.Database` on `database_url`, migrated, with the seed
  plan imported as of `LEDGER_NOW`; closed afterwards. Use `async with ledger.session() as s:`.
- `sqlite_url`: only SQLite, for tests that need no second run on PostgreSQL.
- `postgres_url` / `throwaway_postgres()`: only PostgreSQL (mark the test `postgres`).

On SQLite a session takes the write lock when it begins: do not open a second session
inside one (it waits 30 s for the lock), or open the inner one with `readonly=True`.

Example::

    async def test_something(ledger: Database) -> None:
        async with ledger.session() as session:
            rows = await status_rows(session, LEDGER_NOW)
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
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


async def _admin() -> asyncpg.Connection:
    try:
        return await asyncpg.connect(
            host=PG_HOST, port=PG_PORT, user=PG_USER, database="postgres", timeout=10
        )
    except (OSError, asyncpg.PostgresError) as exc:
        pytest.fail(
            f"PostgreSQL is not reachable at {PG_HOST}:{PG_PORT} as {PG_USER} ({exc}); "
            "start it (see .ci/run) or deselect with -m 'not postgres'",
            pytrace=False,
        )


@asynccontextmanager
async def throwaway_postgres() -> AsyncIterator[str]:
    """Create a fresh PostgreSQL database, yield its URL, and drop it afterwards."""
    name = f"duban_test_{secrets.token_hex(6)}"
    admin = await _admin()
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        yield f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"
    finally:
        admin = await _admin()
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    """Yield the URL of a fresh, empty PostgreSQL database, dropped afterwards."""
    async with throwaway_postgres() as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """Return the URL of a SQLite file that does not exist yet."""
    return f"sqlite:///{tmp_path / 'ledger' / 'duban.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """Yield a URL on SQLite, then (second run) on a throwaway PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ledger' / 'duban.db'}"
        return
    async with throwaway_postgres() as url:
        yield url


@pytest.fixture
async def ledger(database_url: str) -> AsyncIterator[Database]:
    """Yield an opened, migrated database with the seed plan imported at LEDGER_NOW."""
    db = await open_ledger(database_url, default_plan_path(), LEDGER_NOW)
    try:
        yield db
    finally:
        await db.close()
