"""The board's lean status read gives the same lights and categories, without counting."""

from __future__ import annotations

from reports.digest import classify
from reports.source import read_report_input
from storage.database import Database
from storage.status_queries import status_rows
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


async def test_one_task_reads_the_same_rows_as_the_whole_bureau(ledger: Database) -> None:
    await seed_history(ledger)
    for as_of in (WEEK27, WEEK28):
        async with ledger.session() as session:
            bureau = await status_rows(session, as_of)
            for task_row in sorted({r.task_row for r in bureau}):
                one = await status_rows(session, as_of, task_row=task_row)
                assert one == [r for r in bureau if r.task_row == task_row]
                for row in one:
                    mine = await status_rows(session, as_of, row.unit, task_row=task_row)
                    assert mine == [row]
