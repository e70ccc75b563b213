"""Reimporting an edited plan keeps every entry; a removed task is archived, not deleted."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from plan_data import default_plan_path, load_plan
from storage.database import Database
from storage.plans import current_tasks, import_plan, task_by_row
from storage.progress import all_entries, count_entries, record_entry
from storage.records import EntryDraft
from storage.status_queries import status_rows
from tests.conftest import LEDGER_NOW
from tests.storage.helpers import edited_seed

LATER = LEDGER_NOW + timedelta(days=30)


async def test_reimport_keeps_entries_and_archives_the_removed_task(
    ledger: Database, tmp_path: Path
) -> None:
    async with ledger.session() as session:
        for task_id, unit in [("2.3", "社救科"), ("2.4", "社救科"), ("3.1", "社会事务科")]:
            await record_entry(
                session, EntryDraft(task_id, unit, "in_progress", "tester", "cli"), LEDGER_NOW
            )
        before = {t.id: t for t in await current_tasks(session)}
    async with ledger.session() as session:
        result = await import_plan(session, load_plan(edited_seed(tmp_path)), LATER)
    assert result.changed
    assert result.archived == ("2.3",)
    async with ledger.session() as session:
        after = {t.id: t for t in await current_tasks(session)}
        assert await count_entries(session) == 3
        entries = {e.task_row: e for e in await all_entries(session)}
        removed = await task_by_row(session, before["2.3"].row)
        rows = await status_rows(session, LATER)
    assert len(after) == 28
    assert removed.archived_at == LATER
    assert removed.title == "创新社会救助方式"
    # The old 2.4 is renumbered 2.3 and keeps its row, so its entry follows it.
    assert after["2.3"].row == before["2.4"].row
    assert after["2.3"].title == "提升基层社会救助能力"
    assert entries[after["2.3"].row].task_id == "2.3"
    # 3.1 keeps its row; its changed deadline is a new milestone.
    assert after["3.1"].row == before["3.1"].row
    assert [m.end.month for m in after["3.1"].milestones if m.end] == [11]
    assert {r.task_id for r in rows} == set(after)
    row_31 = next(r for r in rows if r.task_id == "3.1")
    assert row_31.entries == 1


async def test_importing_the_same_plan_again_changes_nothing(ledger: Database) -> None:
    async with ledger.session() as session:
        before = await current_tasks(session)
        result = await import_plan(session, load_plan(default_plan_path()), LATER)
        assert not result.changed
        assert await current_tasks(session) == before
