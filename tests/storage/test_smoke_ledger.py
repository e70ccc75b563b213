"""The shared fixtures open a real ledger on both databases."""

from __future__ import annotations

from storage.database import Database
from storage.status import status_rows
from tests.conftest import LEDGER_NOW


async def test_seed_ledger_has_a_row_per_task_and_unit(ledger: Database) -> None:
    async with ledger.session() as session:
        rows = await status_rows(session, LEDGER_NOW)
    assert len(rows) == 66
