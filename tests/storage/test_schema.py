"""The migration builds exactly the models' schema; service facts and the reconcile lock."""

from __future__ import annotations

from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import Connection

from storage.database import Database
from storage.locks import reconcile_lock
from storage.migrate import alembic_config, head_revision
from storage.models import Base
from storage.service_state import first_started_at, get_value, set_value
from tests.conftest import LEDGER_NOW, PostgresPool


def _differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection)
    return list(compare_metadata(context, Base.metadata))


def _triggers(connection: Connection) -> set[str]:
    if connection.dialect.name == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    else:
        query = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
    return {str(name) for (name,) in connection.execute(text(query))}


def _schema(connection: Connection) -> tuple[list[object], set[str], list[str]]:
    versions = connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
    return _differences(connection), _triggers(connection), list(versions)


def _migrate_step_by_step(connection: Connection) -> None:
    command.upgrade(alembic_config(connection), "head")


async def test_the_migrations_build_what_a_new_ledger_is_given(
    database_url: str, tmp_path: Path, postgres_pool: PostgresPool
) -> None:
    """An empty ledger is built from the models at once; the migrations, run one by one on
    another empty ledger, must end in exactly that schema: tables, indexes, triggers, stamp."""
    new = await Database.connect(database_url)
    try:
        async with new.engine.connect() as conn:
            built = await conn.run_sync(_schema)
    finally:
        await new.close()
    async with AsyncExitStack() as stack:
        if database_url.startswith("sqlite"):
            other = f"sqlite:///{tmp_path / 'migrated.db'}"
        else:
            other = await stack.enter_async_context(postgres_pool.database())
        old = await Database.connect(other, migrate=False)
        try:
            async with old.engine.begin() as conn:
                await conn.run_sync(_migrate_step_by_step)
            async with old.engine.connect() as conn:
                migrated = await conn.run_sync(_schema)
        finally:
            await old.close()
    assert built[0] == []
    assert migrated[0] == []
    assert "progress_entries_no_update" in built[1] or "progress_entries_append_only" in built[1]
    assert built[1] == migrated[1]
    assert built[2] == migrated[2] == [head_revision()]


async def test_connecting_again_is_a_no_op(database_url: str) -> None:
    for _ in range(2):
        db = await Database.connect(database_url)
        await db.close()
    db = await Database.connect(database_url)
    try:
        async with db.engine.connect() as conn:
            versions = (await conn.execute(text("SELECT version_num FROM alembic_version"))).all()
            assert await conn.run_sync(_differences) == []
    finally:
        await db.close()
    assert len(versions) == 1


async def test_first_start_is_recorded_once_and_comes_back_aware(ledger: Database) -> None:
    async with ledger.session() as session:
        first = await first_started_at(session, LEDGER_NOW)
        again = await first_started_at(session, LEDGER_NOW + timedelta(days=1))
        await set_value(session, "note", "x")
        await set_value(session, "note", "y")
        assert await get_value(session, "note") == "y"
    assert first == again == LEDGER_NOW
    assert first.utcoffset() is not None
    assert first.astimezone(UTC) == datetime(2022, 1, 4, 1, 0, tzinfo=UTC)


async def test_the_reconcile_lock_has_one_holder_on_postgresql_and_is_free_on_sqlite(
    ledger: Database,
) -> None:
    async with reconcile_lock(ledger) as first:
        assert first
        async with reconcile_lock(ledger) as second:
            assert second == (ledger.dialect == "sqlite")
    async with reconcile_lock(ledger) as after:
        assert after
