"""The migration builds exactly the models' schema; service facts and the reconcile lock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import Connection

from storage.database import Database
from storage.locks import reconcile_lock
from storage.models import Base
from storage.service_state import first_started_at, get_value, set_value
from tests.conftest import LEDGER_NOW


def _differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection)
    return list(compare_metadata(context, Base.metadata))


async def test_migration_matches_the_models(database_url: str) -> None:
    db = await Database.connect(database_url)
    try:
        async with db.engine.connect() as conn:
            assert await conn.run_sync(_differences) == []
    finally:
        await db.close()


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
