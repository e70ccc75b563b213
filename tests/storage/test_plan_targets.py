"""Plan import keeps series, events and targets (issue 14), and keeps them across imports."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import delete, update

from plan_data import default_plan_path, load_plan
from storage.database import Database
from storage.models import PlanVersionRow, TargetRow
from storage.plans import import_plan, task_by_id
from storage.progress import record_entry
from storage.records import EntryDraft, ReadingDraft
from storage.status_queries import status_rows
from tests.conftest import LEDGER_NOW

FIXTURE = Path(__file__).resolve().parents[1] / "simulate" / "fixtures"
JULY_4 = LEDGER_NOW.replace(month=7, day=4)


async def test_series_and_events_are_stored_with_their_milestones(ledger: Database) -> None:
    async with ledger.session() as session:
        await import_plan(session, load_plan(FIXTURE / "monthly-and-event-2022.txt"), LEDGER_NOW)
        monthly = await task_by_id(session, "1.1")
        waiting = await task_by_id(session, "1.2")
    assert [(m.action, m.end, m.series, m.interval_days) for m in monthly.milestones][:2] == [
        ("1月", date(2022, 1, 28), "每月28日前", 30),
        ("2月", date(2022, 2, 28), "每月28日前", 30),
    ]
    assert len(monthly.milestones) == 12
    (event,) = waiting.milestones
    assert (event.kind, event.end, event.event, event.offset, event.offset_unit) == (
        "event", None, "批复", 20, "workdays",
    )  # fmt: skip


async def test_a_changed_target_is_a_new_one_and_old_progress_no_longer_counts(
    ledger: Database, tmp_path: Path
) -> None:
    async with ledger.session() as session:
        task = await task_by_id(session, "3.2")
        beds = task.targets[1]
        draft = EntryDraft(
            "3.2", "社会事务科", "in_progress", "李科长", "cli", note="新增床位60张",
            readings=(ReadingDraft(beds.id, 60, 0.4, "床位60张"),),
        )  # fmt: skip
        await record_entry(session, draft, JULY_4)
        shown = await status_rows(session, JULY_4, "社会事务科")
    assert [p.value for r in shown if r.task_id == "3.2" for p in r.progress] == [60]

    edited = tmp_path / "edited.txt"
    text = default_plan_path().read_text(encoding="utf-8")
    assert text.count("新增养老床位150张") == 1
    edited.write_text(text.replace("新增养老床位150张", "新增养老床位160张"), encoding="utf-8")
    async with ledger.session() as session:
        result = await import_plan(session, load_plan(edited), JULY_4)
        task = await task_by_id(session, "3.2")
        shown = await status_rows(session, JULY_4, "社会事务科")
    assert result.changed
    assert [(t.target.value, t.target.what) for t in task.targets] == [
        (4, "老年日照中心"), (160, "养老床位"),
    ]  # fmt: skip
    assert task.targets[0].id != beds.id
    assert task.targets[1].id != beds.id
    assert [r.progress for r in shown if r.task_id == "3.2"] == [()]


async def test_a_ledger_imported_before_targets_were_kept_gets_them_on_the_next_import(
    ledger: Database,
) -> None:
    # As a ledger upgraded to 0006 holds it: no targets, a plan hash made without them.
    async with ledger.session() as session:
        await session.execute(delete(TargetRow))
        await session.execute(update(PlanVersionRow).values(content_hash="before-0006"))
    async with ledger.session() as session:
        assert (await task_by_id(session, "3.2")).targets == ()
        result = await import_plan(session, load_plan(default_plan_path()), JULY_4)
        task = await task_by_id(session, "3.2")
    assert result.changed
    assert [t.target.what for t in task.targets] == ["老年日照中心", "养老床位"]
