"""Bring the ledger's unit, task, owner and milestone rows in line with a parsed plan.

Matching keeps history: a task keeps its row when its id and title are unchanged (or,
renumbered, when its title is unique and unchanged); rows that disappear are archived.
Tasks, owners and milestones are read once and written in bulk (a plan of 2,900 tasks in
well under a second), never an ORM object and a flush per row.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from plan_data.model import Plan, Task
from plan_data.units import ALIASES
from storage.models import (
    MilestoneRow,
    TargetRow,
    TaskOwnerRow,
    TaskRow,
    UnitAliasRow,
    UnitRow,
)
from storage.plan_rows import milestone_extras, milestone_key, stored_owners, target_key


async def sync_units(
    session: AsyncSession, plan_id: int, names: tuple[str, ...], now: datetime
) -> dict[str, int]:
    """Add new units, archive vanished ones, store aliases; return every unit's row id."""
    existing = {row.name: row for row in await session.scalars(select(UnitRow))}
    for position, name in enumerate(names):
        row = existing.get(name)
        if row is None:
            row = UnitRow(plan_id=plan_id, name=name, position=position)
            session.add(row)
            existing[name] = row
        row.position, row.archived_at = position, None
    for name, row in existing.items():
        if name not in names and row.archived_at is None:
            row.archived_at = now
    await session.flush()
    known = {(a.unit_id, a.alias) for a in await session.scalars(select(UnitAliasRow))}
    for alias, target in ALIASES.items():
        if target in names and (existing[target].id, alias) not in known:
            session.add(UnitAliasRow(unit_id=existing[target].id, alias=alias))
    await session.flush()
    return {name: row.id for name, row in existing.items()}


# NULLs written out, not left to defaults: rows with and without an action or dates then
# share one statement instead of splitting the executemany into thousands of small ones.
BULK = {"render_nulls": True}
IN_CHUNK = 5_000  # ids per `IN (…)`: well under SQLite's limit on bound parameters


@dataclass(frozen=True, slots=True)
class _StoredTask:
    id: int
    task_id: str
    title: str
    position: int
    chapter: str
    body: str
    deadline_text: str
    archived_at: datetime | None


async def sync_tasks(
    session: AsyncSession, plan_id: int, plan: Plan, units: dict[str, int], now: datetime
) -> tuple[list[str], list[str], int]:
    """Match, add and archive task rows; return (added ids, archived ids, kept count).

    Set-based: one read of each table, then one executemany per kind of change (tasks
    inserted with RETURNING, owners and milestones inserted, updated and deleted in bulk),
    however long the plan. Rows are written with statements, not ORM objects: objects of
    these tables loaded earlier in the same session are not refreshed.
    """
    rows = [
        _StoredTask(*r)
        for r in await session.execute(
            select(
                TaskRow.id,
                TaskRow.task_id,
                TaskRow.title,
                TaskRow.position,
                TaskRow.chapter,
                TaskRow.body,
                TaskRow.deadline_text,
                TaskRow.archived_at,
            )
            .where(TaskRow.plan_id == plan_id)
            .order_by(TaskRow.id)
        )
    ]
    matched = _match(plan.tasks, rows)
    used = {row.id for row in matched.values()}
    new: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    added: list[str] = []
    for position, task in enumerate(plan.tasks):
        values = {
            "task_id": task.id,
            "position": position,
            "chapter": task.chapter,
            "body": task.body,
            "deadline_text": task.deadline_text,
            "archived_at": None,
        }
        row = matched.get(task.id)
        if row is None:
            new.append({"plan_id": plan_id, "title": task.title, **values})
            added.append(task.id)
        elif any(getattr(row, key) != value for key, value in values.items()):
            changed.append({"id": row.id, **values})
    row_of = {task_id: row.id for task_id, row in matched.items()}
    if new:
        # Ids come back with their task ids (unique in a plan): RETURNING in parameter order
        # would make SQLite insert one row per statement.
        inserted = await session.execute(
            insert(TaskRow).returning(TaskRow.task_id, TaskRow.id), new, execution_options=BULK
        )
        row_of.update((task_id, row_id) for task_id, row_id in inserted)
    if changed:
        await session.execute(update(TaskRow), changed)
    archived = [row for row in rows if row.id not in used and row.archived_at is None]
    if archived:
        await session.execute(
            update(TaskRow), [{"id": row.id, "archived_at": now} for row in archived]
        )
    rows_in_plan = [(row_of[task.id], task) for task in plan.tasks]
    await _sync_owners(session, plan_id, rows_in_plan, units)
    await _sync_milestones(session, plan_id, rows_in_plan, now)
    await _sync_targets(session, plan_id, rows_in_plan, now)
    return added, [row.task_id for row in archived], len(used)


def _match(tasks: tuple[Task, ...], rows: list[_StoredTask]) -> dict[str, _StoredTask]:
    """Pair plan tasks with stored rows: same id and title, else a unique unused title."""
    by_key = {(r.task_id, r.title): r for r in rows}
    by_title: dict[str, list[_StoredTask]] = defaultdict(list)
    for r in rows:
        by_title[r.title].append(r)
    matched: dict[str, _StoredTask] = {}
    used: set[int] = set()
    for task in tasks:
        row = by_key.get((task.id, task.title))
        if row is not None:
            matched[task.id] = row
            used.add(row.id)
    for task in tasks:
        if task.id in matched:
            continue
        same_title = [r for r in by_title.get(task.title, ()) if r.id not in used]
        if len(same_title) == 1:
            matched[task.id] = same_title[0]
            used.add(same_title[0].id)
    return matched


async def _sync_owners(
    session: AsyncSession, plan_id: int, tasks: list[tuple[int, Task]], units: dict[str, int]
) -> None:
    # Owners are not history (entries point at units), so they are simply replaced.
    current: dict[int, dict[int, tuple[int, str, int]]] = defaultdict(dict)
    for owner_id, task_row, unit_id, role, position in await session.execute(
        select(
            TaskOwnerRow.id,
            TaskOwnerRow.task_id,
            TaskOwnerRow.unit_id,
            TaskOwnerRow.role,
            TaskOwnerRow.position,
        )
        .join(TaskRow, TaskRow.id == TaskOwnerRow.task_id)
        .where(TaskRow.plan_id == plan_id)
    ):
        current[task_row][unit_id] = (owner_id, role, position)
    gone: list[int] = []
    new: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    for task_row, task in tasks:
        mine = current.get(task_row, {})
        wanted = stored_owners(task, units)
        gone += [owner_id for unit, (owner_id, _, _) in mine.items() if unit not in wanted]
        for unit_id, (position, role) in wanted.items():
            found = mine.get(unit_id)
            if found is None:
                new.append(
                    {"task_id": task_row, "unit_id": unit_id, "role": role, "position": position}
                )
            elif found[1:] != (role, position):
                changed.append({"id": found[0], "role": role, "position": position})
    for start in range(0, len(gone), IN_CHUNK):
        chunk = gone[start : start + IN_CHUNK]
        await session.execute(delete(TaskOwnerRow).where(TaskOwnerRow.id.in_(chunk)))
    if new:
        await session.execute(insert(TaskOwnerRow), new, execution_options=BULK)
    if changed:
        await session.execute(update(TaskOwnerRow), changed)


@dataclass(frozen=True, slots=True)
class _StoredMilestone:
    id: int
    task_id: int
    kind: str
    action: str | None
    start: date | None
    end: date | None
    position: int
    archived_at: datetime | None
    series: str | None
    interval_days: int | None
    event: str | None
    offset: int | None
    offset_unit: str | None

    def extras(self) -> dict[str, Any]:
        return {
            "series": self.series,
            "interval_days": self.interval_days,
            "event": self.event,
            "offset": self.offset,
            "offset_unit": self.offset_unit,
        }


async def _sync_milestones(
    session: AsyncSession, plan_id: int, tasks: list[tuple[int, Task]], now: datetime
) -> None:
    stored: dict[int, list[_StoredMilestone]] = defaultdict(list)
    for row in await session.execute(
        select(
            MilestoneRow.id,
            MilestoneRow.task_id,
            MilestoneRow.kind,
            MilestoneRow.action,
            MilestoneRow.start,
            MilestoneRow.end,
            MilestoneRow.position,
            MilestoneRow.archived_at,
            MilestoneRow.series,
            MilestoneRow.interval_days,
            MilestoneRow.event,
            MilestoneRow.offset,
            MilestoneRow.offset_unit,
        )
        .join(TaskRow, TaskRow.id == MilestoneRow.task_id)
        .where(TaskRow.plan_id == plan_id)
        .order_by(MilestoneRow.task_id, MilestoneRow.id)
    ):
        stored[row.task_id].append(_StoredMilestone(*tuple(row)))
    new: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    for task_row, task in tasks:
        free = list(stored.get(task_row, ()))
        for position, milestone in enumerate(task.milestones):
            key = milestone_key(milestone)
            extras = milestone_extras(milestone)
            found = next((r for r in free if milestone_key(r) == key), None)
            if found is None:
                new.append(
                    {
                        "task_id": task_row,
                        "kind": milestone.kind,
                        "action": milestone.action,
                        "start": milestone.start,
                        "end": milestone.end,
                        "position": position,
                        "archived_at": None,
                        **extras,
                    }
                )
                continue
            free.remove(found)
            if (
                found.position != position
                or found.archived_at is not None
                or found.extras() != extras
            ):
                changed.append({"id": found.id, "position": position, "archived_at": None})
                changed[-1].update(extras)
        changed += [
            {"id": r.id, "position": r.position, "archived_at": now, **r.extras()}
            for r in free
            if r.archived_at is None
        ]
    if new:
        await session.execute(insert(MilestoneRow), new, execution_options=BULK)
    if changed:
        await session.execute(update(MilestoneRow), changed)


@dataclass(frozen=True, slots=True)
class _StoredTarget:
    id: int
    task_id: int
    position: int
    kind: str
    value: float
    unit: str
    what: str
    text: str
    archived_at: datetime | None

    def key(self) -> tuple[str, str, str, str]:
        return (self.kind, repr(float(self.value)), self.unit, self.what)


async def _sync_targets(
    session: AsyncSession, plan_id: int, tasks: list[tuple[int, Task]], now: datetime
) -> None:
    """Keep each task's targets: a target with the same kind, value, measure and what keeps
    its row (progress read against it stays with it); others are added or archived."""
    stored: dict[int, list[_StoredTarget]] = defaultdict(list)
    for row in await session.execute(
        select(
            TargetRow.id,
            TargetRow.task_id,
            TargetRow.position,
            TargetRow.kind,
            TargetRow.value,
            TargetRow.unit,
            TargetRow.what,
            TargetRow.text,
            TargetRow.archived_at,
        )
        .join(TaskRow, TaskRow.id == TargetRow.task_id)
        .where(TaskRow.plan_id == plan_id)
        .order_by(TargetRow.task_id, TargetRow.id)
    ):
        stored[row.task_id].append(_StoredTarget(*row))
    new: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    for task_row, task in tasks:
        free = list(stored.get(task_row, ()))
        for position, target in enumerate(task.targets):
            key = target_key(target)
            found = next((r for r in free if r.key() == key), None)
            if found is None:
                new.append(
                    {
                        "task_id": task_row,
                        "position": position,
                        "kind": target.kind,
                        "value": float(target.value),
                        "unit": target.unit,
                        "what": target.what,
                        "text": target.text,
                        "archived_at": None,
                    }
                )
                continue
            free.remove(found)
            if (found.position, found.archived_at, found.text) != (position, None, target.text):
                changed.append(
                    {
                        "id": found.id,
                        "position": position,
                        "archived_at": None,
                        "text": target.text,
                    }
                )
        changed += [
            {"id": r.id, "position": r.position, "archived_at": now, "text": r.text}
            for r in free
            if r.archived_at is None
        ]
    if new:
        await session.execute(insert(TargetRow), new, execution_options=BULK)
    if changed:
        await session.execute(update(TargetRow), changed)
