"""The query layer: a status row per (task, unit) as of an instant.

Rules (DESIGN "Progress"):
- A done entry with a milestone marks that milestone done; a done entry without one marks
  every deadline milestone of its (task, unit) done (the CLI `report` names no milestone).
- An approved extension moves the due date of its milestone (or, without a milestone, of
  every open deadline milestone of the pair); the latest decision wins.
- Entries and decisions after `as_of` are ignored, so the past reads as it was.
The aggregation runs in SQL with one probe per pair on `ix_entries_unit_task_time`; no
query loads the entries themselves, only the latest one per pair.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, exists, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    EntryRow,
    ExtensionDecisionRow,
    ExtensionRow,
    MilestoneRow,
    PlanRow,
    TaskOwnerRow,
    TaskRow,
    UnitRow,
)
from storage.records import EntryStatus, Light, OpenMilestone, StatusRow
from vocabulary import DEFAULT_TZ

DUE_SOON_DAYS = 7
QUIET_DAYS = 30


def compute_light(
    *,
    deadlines: int,
    open_dues: Sequence[date],
    latest_status: str | None,
    quiet_since: date,
    today: date,
) -> Light:
    """Return the light of a (task, unit) pair from its facts (pure; DESIGN "Progress")."""
    if deadlines and not open_dues:
        return "done"
    if not deadlines and latest_status == "done":
        return "done"
    if any(due < today for due in open_dues):
        return "red"
    soon = today + timedelta(days=DUE_SOON_DAYS)
    if (
        any(due <= soon for due in open_dues)
        or latest_status == "blocked"
        or (today - quiet_since).days >= QUIET_DAYS
    ):
        return "yellow"
    return "green"


async def status_rows(
    session: AsyncSession,
    as_of: datetime,
    unit: str | None = None,
    tz: ZoneInfo = DEFAULT_TZ,
    *,
    count_entries: bool = True,
) -> list[StatusRow]:
    """Return a row per current (task, unit) pair, in plan order, as of an instant.

    With count_entries=False a row's `entries` is 1 when the pair has any entry and 0
    otherwise (lights and the digest's categories are the same): counting every entry of
    a million-entry ledger is most of the query's time, and the web board's bureau page
    shows no per-row count.
    """
    pairs = await _pairs(session, as_of, unit, count_entries)
    if not pairs:
        return []
    milestones = await _milestones(session, as_of, unit)
    latest = await _latest_entries(session, [p[-1] for p in pairs if p[-1] is not None])
    year = await session.scalar(select(PlanRow.year).order_by(PlanRow.id).limit(1))
    plan_start = date(year or as_of.year, 1, 1)
    today = as_of.astimezone(tz).date()
    rows = []
    for task_row, task_id, chapter, title, unit_id, unit_name, role, count, latest_id in pairs:
        mine = milestones.get((task_row, unit_id), [])
        open_ms = tuple(m for m in mine if m is not None)
        entry = latest.get(latest_id) if latest_id is not None else None
        status = entry[0] if entry else None
        updated_at = entry[3] if entry else None
        quiet_since = updated_at.astimezone(tz).date() if updated_at else plan_start
        light = compute_light(
            deadlines=len(mine),
            open_dues=[m.due for m in open_ms],
            latest_status=status,
            quiet_since=quiet_since,
            today=today,
        )
        rows.append(
            StatusRow(
                task_row=task_row,
                task_id=task_id,
                unit=unit_name,
                title=title,
                role=role,
                light=light,
                status=status,
                note=entry[1] if entry else None,
                percent=entry[2] if entry else None,
                updated_at=updated_at,
                next_due=min((m.due for m in open_ms), default=None),
                entries=count,
                chapter=chapter,
                open_milestones=tuple(sorted(open_ms, key=lambda m: m.due)),
            )
        )
    return rows


_Pair = tuple[int, str, str, str, int, str, str, int, int | None]


async def _pairs(
    session: AsyncSession, as_of: datetime, unit: str | None, count_entries: bool = True
) -> list[_Pair]:
    scope = and_(
        EntryRow.unit_id == TaskOwnerRow.unit_id,
        EntryRow.task_id == TaskOwnerRow.task_id,
        EntryRow.created_at <= as_of,
    )
    count = (
        select(func.count()).where(scope).correlate(TaskOwnerRow).scalar_subquery()
        if count_entries
        else literal(0)
    )
    latest = (
        select(EntryRow.id)
        .where(scope)
        .order_by(EntryRow.created_at.desc(), EntryRow.id.desc())
        .limit(1)
        .correlate(TaskOwnerRow)
        .scalar_subquery()
    )
    query = (
        select(
            TaskRow.id,
            TaskRow.task_id,
            TaskRow.chapter,
            TaskRow.title,
            UnitRow.id,
            UnitRow.name,
            TaskOwnerRow.role,
            count,
            latest,
        )
        .join(TaskRow, TaskRow.id == TaskOwnerRow.task_id)
        .join(UnitRow, UnitRow.id == TaskOwnerRow.unit_id)
        .where(TaskRow.archived_at.is_(None))
        .order_by(TaskRow.position, TaskOwnerRow.position)
    )
    if unit is not None:
        query = query.where(UnitRow.name == unit)
    result = await session.execute(query)
    return [
        (a, b, c, d, e, f, g, int(h or 0) if count_entries else int(i is not None), i)
        for a, b, c, d, e, f, g, h, i in result
    ]


async def _milestones(
    session: AsyncSession, as_of: datetime, unit: str | None
) -> dict[tuple[int, int], list[OpenMilestone | None]]:
    """Return, per pair, each deadline milestone: None when done, else open with its due."""
    done = exists().where(
        EntryRow.unit_id == TaskOwnerRow.unit_id,
        EntryRow.task_id == TaskOwnerRow.task_id,
        EntryRow.status == "done",
        or_(EntryRow.milestone_id == MilestoneRow.id, EntryRow.milestone_id.is_(None)),
        EntryRow.created_at <= as_of,
    )
    extended = (
        select(ExtensionRow.new_date)
        .join(ExtensionDecisionRow, ExtensionDecisionRow.request_id == ExtensionRow.id)
        .where(
            ExtensionRow.unit_id == TaskOwnerRow.unit_id,
            ExtensionRow.task_id == TaskOwnerRow.task_id,
            or_(ExtensionRow.milestone_id == MilestoneRow.id, ExtensionRow.milestone_id.is_(None)),
            ExtensionDecisionRow.approve.is_(True),
            ExtensionDecisionRow.decided_at <= as_of,
        )
        .order_by(ExtensionDecisionRow.decided_at.desc(), ExtensionRow.id.desc())
        .limit(1)
        .correlate(TaskOwnerRow, MilestoneRow)
        .scalar_subquery()
    )
    query = (
        select(
            TaskOwnerRow.task_id,
            TaskOwnerRow.unit_id,
            MilestoneRow.id,
            MilestoneRow.action,
            MilestoneRow.end,
            done.correlate(TaskOwnerRow, MilestoneRow),
            extended,
        )
        .join(MilestoneRow, MilestoneRow.task_id == TaskOwnerRow.task_id)
        .join(TaskRow, TaskRow.id == TaskOwnerRow.task_id)
        .where(
            TaskRow.archived_at.is_(None),
            MilestoneRow.archived_at.is_(None),
            MilestoneRow.kind == "deadline",
            MilestoneRow.end.is_not(None),
        )
        .order_by(MilestoneRow.position)
    )
    if unit is not None:
        query = query.join(UnitRow, UnitRow.id == TaskOwnerRow.unit_id).where(UnitRow.name == unit)
    found: dict[tuple[int, int], list[OpenMilestone | None]] = {}
    for task_row, unit_id, milestone_id, action, end, is_done, new_date in (
        await session.execute(query)
    ):
        if end is None:
            continue
        item = None if is_done else OpenMilestone(milestone_id, action, end, new_date or end)
        found.setdefault((task_row, unit_id), []).append(item)
    return found


async def _latest_entries(
    session: AsyncSession, ids: list[int]
) -> dict[int, tuple[EntryStatus, str | None, int | None, datetime]]:
    if not ids:
        return {}
    rows = await session.execute(
        select(
            EntryRow.id, EntryRow.status, EntryRow.note, EntryRow.percent, EntryRow.created_at
        ).where(EntryRow.id.in_(ids))
    )
    return {
        i: (status, note, percent, at)  # type: ignore[misc]
        for i, status, note, percent, at in rows
    }
