"""Bring the ledger's unit, task, owner and milestone rows in line with a parsed plan.

Matching keeps history: a task keeps its row when its id and title are unchanged (or,
renumbered, when its title is unique and unchanged); rows that disappear are archived.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from plan_data.model import Milestone, Plan, Task
from plan_data.units import ALIASES
from storage.models import MilestoneRow, TaskOwnerRow, TaskRow, UnitAliasRow, UnitRow


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


async def sync_tasks(
    session: AsyncSession, plan_id: int, plan: Plan, units: dict[str, int], now: datetime
) -> tuple[list[str], list[str], int]:
    """Match, add and archive task rows; return (added ids, archived ids, kept count)."""
    rows = list(await session.scalars(select(TaskRow).where(TaskRow.plan_id == plan_id)))
    by_key = {(r.task_id, r.title): r for r in rows}
    matched: dict[str, TaskRow] = {}
    used: set[int] = set()
    for task in plan.tasks:
        row = by_key.get((task.id, task.title))
        if row is not None:
            matched[task.id] = row
            used.add(row.id)
    for task in plan.tasks:
        if task.id in matched:
            continue
        same_title = [r for r in rows if r.title == task.title and r.id not in used]
        if len(same_title) == 1:
            matched[task.id] = same_title[0]
            used.add(same_title[0].id)
    added: list[str] = []
    for position, task in enumerate(plan.tasks):
        row = matched.get(task.id)
        if row is None:
            row = TaskRow(plan_id=plan_id, task_id=task.id, title=task.title)
            session.add(row)
            added.append(task.id)
        row.task_id, row.position, row.chapter = task.id, position, task.chapter
        row.body, row.deadline_text, row.archived_at = task.body, task.deadline_text, None
        await session.flush()
        await _sync_owners(session, row.id, task, units)
        await _sync_milestones(session, row.id, task.milestones, now)
    archived = []
    for row in rows:
        if row.id not in used and row.archived_at is None:
            row.archived_at = now
            archived.append(row.task_id)
    await session.flush()
    return added, archived, len(used)


async def _sync_owners(
    session: AsyncSession, task_row: int, task: Task, units: dict[str, int]
) -> None:
    # Owners are not history (entries point at units), so they are simply replaced.
    current = {
        o.unit_id: o
        for o in await session.scalars(
            select(TaskOwnerRow).where(TaskOwnerRow.task_id == task_row)
        )
    }
    wanted = {units[o.unit]: (i, o.role) for i, o in enumerate(task.owners) if o.unit in units}
    for unit_id, row in current.items():
        if unit_id not in wanted:
            await session.delete(row)
    for unit_id, (position, role) in wanted.items():
        owner = current.get(unit_id)
        if owner is None:
            owner = TaskOwnerRow(task_id=task_row, unit_id=unit_id)
            session.add(owner)
        owner.role, owner.position = role, position


def milestone_key(m: Milestone | MilestoneRow) -> tuple[str, str | None, str, str]:
    """Return what identifies a milestone across imports: kind, action and dates."""
    return (m.kind, m.action, str(m.start), str(m.end))


async def _sync_milestones(
    session: AsyncSession, task_row: int, milestones: tuple[Milestone, ...], now: datetime
) -> None:
    rows = list(
        await session.scalars(
            select(MilestoneRow).where(MilestoneRow.task_id == task_row).order_by(MilestoneRow.id)
        )
    )
    free = list(rows)
    for position, milestone in enumerate(milestones):
        key = milestone_key(milestone)
        row = next((r for r in free if milestone_key(r) == key), None)
        if row is None:
            row = MilestoneRow(
                task_id=task_row,
                kind=milestone.kind,
                action=milestone.action,
                start=milestone.start,
                end=milestone.end,
            )
            session.add(row)
        else:
            free.remove(row)
        row.position, row.archived_at = position, None
    for row in free:
        if row.archived_at is None:
            row.archived_at = now
