"""The board's lean status read gives the same lights and categories, without counting."""

from __future__ import annotations

from reports.digest import classify
from reports.source import read_report_input
from storage.database import Database
from storage.status import status_rows
from tests.reports.seed import WEEK27, WEEK28, seed_history


async def test_status_without_counts_has_the_same_lights_and_categories(ledger: Database) -> None:
    await seed_history(ledger)
    for as_of in (WEEK27, WEEK28):
        async with ledger.session() as session:
            full = await status_rows(session, as_of)
            lean = await status_rows(session, as_of, count_entries=False)
            report = await read_report_input(session, as_of)
            board = await read_report_input(session, as_of, for_board=True)
        assert [(r.task_id, r.unit, r.light, r.status, r.next_due) for r in full] == [
            (r.task_id, r.unit, r.light, r.status, r.next_due) for r in lean
        ]
        assert [min(r.entries, 1) for r in full] == [r.entries for r in lean]
        assert [classify(r) for r in report.rows] == [classify(r) for r in board.rows]
        assert any(r.entries > 1 for r in full)
