"""Thousands of rows in one driver call: the same rows, in order, whichever way they go in
(on PostgreSQL, COPY inside a transaction, an array INSERT as a session's first statement)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from storage.bulk import insert_rows
from storage.database import Database
from storage.models import OutboxItemRow
from storage.outbox import OUTBOX_ITEMS
from storage.plans import task_by_id

COLUMNS = ("outbox_id", "task_id", "unit_id", "milestone_id", "item_kind", "point_date")


async def _rows(ledger: Database) -> list[tuple[object, ...]]:
    async with ledger.session(readonly=True) as session:
        task = await task_by_id(session, "2.3")
    first = task.milestones[0].id
    shapes = [("overdue", first, date(2022, 6, 30)), ("checkin", None, None)]
    return [(7, task.row, 1, m, kind, day) for kind, m, day in shapes * 300]


async def _stored(ledger: Database) -> list[tuple[object, ...]]:
    async with ledger.session(readonly=True) as session:
        found = await session.execute(
            select(*(OutboxItemRow.__table__.c[c] for c in COLUMNS)).order_by(OutboxItemRow.id)
        )
        return [tuple(row) for row in found]


@pytest.mark.parametrize("first", [True, False], ids=["first-statement", "in-transaction"])
async def test_rows_go_in_whole_and_in_order(ledger: Database, first: bool) -> None:
    rows = await _rows(ledger)
    async with ledger.session() as session:
        if not first:
            await session.execute(text("SELECT 1"))
        await insert_rows(session, OUTBOX_ITEMS, COLUMNS, rows)
    assert await _stored(ledger) == rows


async def test_a_refused_row_leaves_nothing_behind(ledger: Database) -> None:
    rows = await _rows(ledger)
    rows[-1] = (*rows[-1][:4], None, None)  # every item has a kind

    async def write() -> None:
        async with ledger.session() as session:
            await session.execute(text("SELECT 1"))
            await insert_rows(session, OUTBOX_ITEMS, COLUMNS, rows[:1])
            await insert_rows(session, OUTBOX_ITEMS, COLUMNS, rows)

    with pytest.raises(DBAPIError):
        await write()
    async with ledger.session(readonly=True) as session:
        assert await session.scalar(select(func.count()).select_from(OutboxItemRow)) == 0
