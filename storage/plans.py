"""Import a parsed plan into the ledger and read its current tasks and units.

Reimporting keeps history: a task keeps its row when its id and title are unchanged (or,
renumbered, when its title is unique and unchanged); a task that disappears is archived,
never deleted, and its entries stay (the row matching lives in `storage.plan_sync`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import ColumnElement, ScalarSelect, Select, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from plan_data.model import MilestoneKind, OffsetUnit, Owner, OwnerRole, Plan, Target, TargetKind
from storage.errors import NoPlan, UnknownTask
from storage.models import (
    MilestoneRow,
    PlanRow,
    PlanVersionRow,
    TargetRow,
    TaskOwnerRow,
    TaskRow,
    UnitAliasRow,
    UnitRow,
)
from storage.plan_rows import milestone_extras, milestone_key, target_key
from storage.plan_sync import sync_tasks, sync_units
from storage.records import ImportResult, MilestoneRecord, PlanRecord, TargetRecord, TaskRecord


def plan_hash(plan: Plan) -> str:
    """Return a hash of everything the ledger keeps of a plan."""
    parts = [str(plan.year), plan.title, *plan.units]
    for task in plan.tasks:
        parts += [task.id, task.chapter, task.title, task.body, task.deadline_text]
        parts += [f"{o.unit}:{o.role}" for o in task.owners]
        parts += [repr(milestone_key(m)) for m in task.milestones]
        # Series, events and targets only where a plan has them (a plan without any keeps
        # the hash it had before they were stored).
        parts += [
            repr(sorted((k, v) for k, v in milestone_extras(m).items() if v is not None))
            for m in task.milestones
            if m.series is not None or m.event is not None
        ]
        parts += [repr(target_key(t)) for t in task.targets]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


async def import_plan(session: AsyncSession, plan: Plan, now: datetime) -> ImportResult:
    """Load or reload a plan; unchanged plans are left alone."""
    await _lock(session)
    digest = plan_hash(plan)
    plan_row = await session.scalar(select(PlanRow).order_by(PlanRow.id).limit(1))
    if plan_row is None:
        plan_row = PlanRow(year=plan.year, title=plan.title, created_at=now)
        session.add(plan_row)
        await session.flush()
    else:
        latest = await _latest_version(session, plan_row.id)
        if latest is not None and latest.content_hash == digest:
            return ImportResult(plan=await _plan_record(session, plan_row, latest), changed=False)
        plan_row.year, plan_row.title = plan.year, plan.title
    units = await sync_units(session, plan_row.id, plan.units, now)
    added, archived, kept = await sync_tasks(session, plan_row.id, plan, units, now)
    version = PlanVersionRow(
        plan_id=plan_row.id,
        file_name=Path(plan.source).name if plan.source else "",
        year=plan.year,
        title=plan.title,
        content_hash=digest,
        imported_at=now,
    )
    session.add(version)
    await session.flush()
    record = await _plan_record(session, plan_row, version)
    return ImportResult(record, True, tuple(added), tuple(archived), kept)


def plan_year_query() -> ScalarSelect[int]:
    """Select the year of the ledger's plan (the first plan row: a ledger holds one)."""
    return select(PlanRow.year).order_by(PlanRow.id).limit(1).scalar_subquery()


async def plan_year(session: AsyncSession) -> int | None:
    """Return the year of the ledger's plan, or None before the first import (one cheap read)."""
    return await session.scalar(select(plan_year_query()))


async def current_plan(session: AsyncSession) -> PlanRecord | None:
    """Return the ledger's plan, or None before the first import."""
    plan_row = await session.scalar(select(PlanRow).order_by(PlanRow.id).limit(1))
    if plan_row is None:
        return None
    version = await _latest_version(session, plan_row.id)
    if version is None:
        return None
    return await _plan_record(session, plan_row, version)


async def require_plan(session: AsyncSession) -> PlanRecord:
    """Return the ledger's plan or raise NoPlan."""
    plan = await current_plan(session)
    if plan is None:
        raise NoPlan
    return plan


async def unit_names(session: AsyncSession) -> tuple[str, ...]:
    """Return the current plan's units in plan order."""
    rows = await session.scalars(
        select(UnitRow.name).where(UnitRow.archived_at.is_(None)).order_by(UnitRow.position)
    )
    return tuple(rows)


async def unit_ids(session: AsyncSession) -> dict[str, int]:
    """Return every unit name (archived too) with its row id."""
    rows = await session.execute(select(UnitRow.name, UnitRow.id))
    return dict(rows.all())


async def unit_names_by_row(session: AsyncSession) -> dict[int, str]:
    """Return every unit's name (archived too) by its row id."""
    return dict((await session.execute(unit_names_query())).all())


def unit_names_query() -> Select[int, str]:
    """Select every unit's row id and name (archived too)."""
    return select(UnitRow.id, UnitRow.name)


async def task_labels(
    session: AsyncSession, *owners: ColumnElement[bool]
) -> dict[int, tuple[str, str, str]]:
    """Return (task id, chapter, title) by row id of every current task (only those with an
    owner row matching `owners`, conditions on task_owners and units, when given).

    A query over many (task, unit) rows takes these words from here, once per task, instead
    of decoding them again on every row.
    """
    return labels_from(await session.execute(task_labels_query(*owners)))


async def labels_covering(
    session: AsyncSession,
    task_rows: Iterable[int],
    labels: Mapping[int, tuple[str, str, str]] | None,
    *owners: ColumnElement[bool],
) -> Mapping[int, tuple[str, str, str]]:
    """Return `labels` when they name every one of the task rows, else `task_labels` read
    now: words read earlier in a pass may miss a task a plan import added since (on
    PostgreSQL each statement reads what is committed when it starts)."""
    if labels is not None and labels.keys() >= set(task_rows):
        return labels
    return await task_labels(session, *owners)


def task_labels_query(*owners: ColumnElement[bool]) -> Select[int, str, str, str]:
    """Select what `task_labels` returns: row id, task id, chapter and title."""
    query = select(TaskRow.id, TaskRow.task_id, TaskRow.chapter, TaskRow.title).where(
        TaskRow.archived_at.is_(None)
    )
    if owners:
        owned = (
            select(TaskOwnerRow.task_id)
            .join(UnitRow, UnitRow.id == TaskOwnerRow.unit_id)
            .where(*owners)
        )
        query = query.where(TaskRow.id.in_(owned))
    return query


def labels_from(rows: Iterable[Sequence[Any]]) -> dict[int, tuple[str, str, str]]:
    """Return the labels `task_labels_query` selected, by task row id."""
    return {row: (code, chapter, title) for row, code, chapter, title in rows}


async def unit_aliases(session: AsyncSession) -> dict[str, str]:
    """Return stored aliases: typed name → unit name."""
    rows = await session.execute(
        select(UnitAliasRow.alias, UnitRow.name).join(UnitRow, UnitRow.id == UnitAliasRow.unit_id)
    )
    return dict(rows.all())


async def current_tasks(session: AsyncSession) -> list[TaskRecord]:
    """Return every current task with owners and milestones, in plan order."""
    tasks = list(
        await session.scalars(
            select(TaskRow).where(TaskRow.archived_at.is_(None)).order_by(TaskRow.position)
        )
    )
    return await _records(session, tasks)


async def task_by_id(session: AsyncSession, task_id: str) -> TaskRecord:
    """Return the current task with this plan id (such as "2.3") or raise UnknownTask."""
    row = await session.scalar(
        select(TaskRow).where(TaskRow.task_id == task_id, TaskRow.archived_at.is_(None))
    )
    if row is None:
        raise UnknownTask(task_id)
    return (await _records(session, [row]))[0]


async def task_by_row(session: AsyncSession, row_id: int) -> TaskRecord:
    """Return the task (current or archived) stored in this row."""
    row = await session.get(TaskRow, row_id)
    if row is None:
        raise UnknownTask(f"#{row_id}")
    return (await _records(session, [row]))[0]


async def _lock(session: AsyncSession) -> None:
    # Two processes importing at once must not both insert the plan (SQLite: BEGIN IMMEDIATE).
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(74202)"))


async def _latest_version(session: AsyncSession, plan_id: int) -> PlanVersionRow | None:
    return await session.scalar(
        select(PlanVersionRow)
        .where(PlanVersionRow.plan_id == plan_id)
        .order_by(PlanVersionRow.id.desc())
        .limit(1)
    )


async def _plan_record(
    session: AsyncSession, plan_row: PlanRow, version: PlanVersionRow
) -> PlanRecord:
    return PlanRecord(
        id=plan_row.id,
        version_id=version.id,
        file_name=version.file_name,
        year=version.year,
        title=version.title,
        content_hash=version.content_hash,
        imported_at=version.imported_at,
        units=await unit_names(session),
    )


async def _records(session: AsyncSession, tasks: list[TaskRow]) -> list[TaskRecord]:
    if not tasks:
        return []
    ids = [t.id for t in tasks]
    owners: dict[int, list[Owner]] = {i: [] for i in ids}
    rows = await session.execute(
        select(TaskOwnerRow.task_id, UnitRow.name, TaskOwnerRow.role)
        .join(UnitRow, UnitRow.id == TaskOwnerRow.unit_id)
        .where(TaskOwnerRow.task_id.in_(ids))
        .order_by(TaskOwnerRow.task_id, TaskOwnerRow.position)
    )
    for task_row, unit, role in rows:
        # Only import_plan writes roles, and it writes a plan Owner's role.
        owners[task_row].append(Owner(unit, cast("OwnerRole", role)))
    milestones: dict[int, list[MilestoneRecord]] = {i: [] for i in ids}
    for m in await session.scalars(
        select(MilestoneRow)
        .where(MilestoneRow.task_id.in_(ids), MilestoneRow.archived_at.is_(None))
        .order_by(MilestoneRow.task_id, MilestoneRow.position)
    ):
        milestones[m.task_id].append(
            MilestoneRecord(
                # Only import_plan writes milestones, from a plan Milestone's kind.
                kind=cast("MilestoneKind", m.kind),
                action=m.action,
                start=m.start,
                end=m.end,
                id=m.id,
                task_row=m.task_id,
                position=m.position,
                series=m.series,
                interval_days=m.interval_days,
                event=m.event,
                offset=m.offset,
                offset_unit=cast("OffsetUnit | None", m.offset_unit),
            )
        )
    targets: dict[int, list[TargetRecord]] = {i: [] for i in ids}
    for t in await session.scalars(
        select(TargetRow)
        .where(TargetRow.task_id.in_(ids), TargetRow.archived_at.is_(None))
        .order_by(TargetRow.task_id, TargetRow.position)
    ):
        value = int(t.value) if float(t.value).is_integer() else t.value
        target = Target(value, t.unit, t.what, t.text, cast("TargetKind", t.kind))
        targets[t.task_id].append(TargetRecord(t.id, t.task_id, t.position, target))
    return [
        TaskRecord(
            row=t.id,
            id=t.task_id,
            chapter=t.chapter,
            title=t.title,
            body=t.body,
            deadline_text=t.deadline_text,
            owners=tuple(owners[t.id]),
            milestones=tuple(milestones[t.id]),
            archived_at=t.archived_at,
            targets=tuple(targets[t.id]),
        )
        for t in tasks
    ]
