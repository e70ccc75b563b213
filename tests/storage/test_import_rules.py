"""Plan import rules that the set-based writes must keep: owners, milestones, restored rows."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from plan_data import default_plan_path, load_plan
from plan_data.model import Milestone, Owner, Plan, Task
from storage.database import Database
from storage.plans import current_tasks, import_plan, task_by_row
from storage.records import TaskRecord
from tests.conftest import LEDGER_NOW

SEED = load_plan(default_plan_path())
LATER = LEDGER_NOW + timedelta(days=30)


def _with_task(plan: Plan, task_id: str, **changes: object) -> Plan:
    return replace(
        plan,
        tasks=tuple(replace(t, **changes) if t.id == task_id else t for t in plan.tasks),  # type: ignore[arg-type]
    )


def _without(plan: Plan, task_id: str) -> Plan:
    return replace(plan, tasks=tuple(t for t in plan.tasks if t.id != task_id))


def _task(plan: Plan, task_id: str) -> Task:
    return next(t for t in plan.tasks if t.id == task_id)


async def _import(db: Database, plan: Plan, step: int) -> dict[str, TaskRecord]:
    async with db.session() as session:
        await import_plan(session, plan, LEDGER_NOW + timedelta(days=step))
        return {t.id: t for t in await current_tasks(session)}


def _owners(owners: tuple[Owner, ...]) -> list[tuple[str, str]]:
    return [(o.unit, o.role) for o in owners]  # the ledger keeps who and how, not the wording


def _plain(milestones: tuple[Milestone, ...]) -> list[tuple[object, ...]]:
    return [(m.kind, m.action, m.start, m.end) for m in milestones]


async def test_owners_follow_the_plan_in_order_with_their_roles(ledger: Database) -> None:
    task = _task(SEED, "2.3")
    owners = (Owner("社区科", "cooperating"), Owner("社救科", "lead"), Owner("婚姻科", "owner"))
    after = await _import(ledger, _with_task(SEED, "2.3", owners=owners), 1)
    assert _owners(after["2.3"].owners) == _owners(owners)
    fewer = (Owner("婚姻科", "lead"),)
    after = await _import(ledger, _with_task(SEED, "2.3", owners=fewer), 2)
    assert _owners(after["2.3"].owners) == _owners(fewer)
    after = await _import(ledger, SEED, 3)
    assert _owners(after["2.3"].owners) == _owners(task.owners)


async def test_a_dropped_milestone_is_archived_and_comes_back_with_its_row(
    ledger: Database,
) -> None:
    task = next(t for t in SEED.tasks if len(t.milestones) >= 2)
    before = await _import(ledger, SEED, 0)
    kept = task.milestones[1:]
    during = await _import(ledger, _with_task(SEED, task.id, milestones=kept), 1)
    assert _plain(during[task.id].milestones) == _plain(kept)
    assert [m.position for m in during[task.id].milestones] == list(range(len(kept)))
    after = await _import(ledger, SEED, 2)
    assert after[task.id].milestones == before[task.id].milestones  # same rows and places


async def test_a_moved_deadline_is_a_new_milestone_and_the_old_one_is_archived(
    ledger: Database,
) -> None:
    task = _task(SEED, "3.1")
    before = await _import(ledger, SEED, 0)
    first = task.milestones[0]
    assert first.end is not None
    moved = (replace(first, end=first.end - timedelta(days=31)), *task.milestones[1:])
    after = await _import(ledger, _with_task(SEED, "3.1", milestones=moved), 1)
    assert _plain(after["3.1"].milestones) == _plain(moved)
    assert after["3.1"].milestones[0].id not in {m.id for m in before["3.1"].milestones}


async def test_a_removed_task_comes_back_on_its_old_row(ledger: Database) -> None:
    before = await _import(ledger, SEED, 0)
    row = before["6.2"].row
    during = await _import(ledger, _without(SEED, "6.2"), 1)
    assert "6.2" not in during
    async with ledger.session() as session:
        assert (await task_by_row(session, row)).archived_at == LATER - timedelta(days=29)
    after = await _import(ledger, SEED, 2)
    assert after["6.2"].row == row
    async with ledger.session() as session:
        assert (await task_by_row(session, row)).archived_at is None


async def test_a_big_plan_reads_back_as_imported(ledger: Database) -> None:
    tasks = [
        replace(t, id=f"{copy}.{t.id}", title=f"{t.title}（{copy}）")
        for copy in range(1, 11)
        for t in SEED.tasks
    ]
    big = replace(SEED, tasks=tuple(tasks))
    stored = await _import(ledger, big, 1)
    assert list(stored) == [t.id for t in tasks]
    for task in tasks:
        record = stored[task.id]
        assert (record.title, record.body, record.deadline_text) == (
            task.title,
            task.body,
            task.deadline_text,
        )
        assert _owners(record.owners) == _owners(task.owners)
        assert _plain(record.milestones) == _plain(task.milestones)
