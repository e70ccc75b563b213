"""Read each deadline milestone's timeliness from the ledger, as of an instant (the rules:
`storage.timeliness`)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.database import plain_rows
from storage.models import (
    EntryRow,
    ExtensionDecisionRow,
    ExtensionRow,
    MilestoneRow,
    TaskOwnerRow,
    TaskRow,
    UnitRow,
)
from storage.timeliness import MilestoneTimeliness, in_window, timeliness_item
from vocabulary import DEFAULT_TZ


async def milestone_timeliness(
    session: AsyncSession,
    as_of: datetime,
    unit: str | None = None,
    tz: ZoneInfo = DEFAULT_TZ,
    window: tuple[date, date] | None = None,
    task_id: str | None = None,
) -> list[MilestoneTimeliness]:
    """Return each current deadline milestone per pair, in plan order, as of an instant.

    With a window [first, last], only milestones due in it or done in it are returned;
    with a unit or a task id, only that unit's or task's.
    """
    owner = and_(
        EntryRow.unit_id == TaskOwnerRow.unit_id, EntryRow.task_id == TaskOwnerRow.task_id
    )
    done_here = (
        select(func.min(EntryRow.created_at))
        .where(
            owner,
            EntryRow.status == "done",
            EntryRow.milestone_id == MilestoneRow.id,
            EntryRow.created_at <= as_of,
        )
        .correlate(TaskOwnerRow, MilestoneRow)
        .scalar_subquery()
    )
    done_all = (
        select(func.min(EntryRow.created_at))
        .where(
            owner,
            EntryRow.status == "done",
            EntryRow.milestone_id.is_(None),
            EntryRow.created_at <= as_of,
        )
        .correlate(TaskOwnerRow)
        .scalar_subquery()
    )
    reported = exists().where(owner, EntryRow.created_at <= as_of).correlate(TaskOwnerRow)
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
            TaskRow.id,
            TaskRow.task_id,
            TaskRow.title,
            UnitRow.name,
            MilestoneRow.id,
            MilestoneRow.action,
            MilestoneRow.end,
            extended,
            done_here,
            done_all,
            reported,
        )
        .select_from(TaskOwnerRow)
        .join(TaskRow, TaskRow.id == TaskOwnerRow.task_id)
        .join(UnitRow, UnitRow.id == TaskOwnerRow.unit_id)
        .join(MilestoneRow, MilestoneRow.task_id == TaskOwnerRow.task_id)
        .where(
            TaskRow.archived_at.is_(None),
            MilestoneRow.archived_at.is_(None),
            # `storage.timeliness.is_timed`: a deadline as the plan wrote it, with its date.
            MilestoneRow.kind == "deadline",
            MilestoneRow.end.is_not(None),
        )
        .order_by(TaskRow.position, TaskOwnerRow.position, MilestoneRow.position)
    )
    if unit is not None:
        query = query.where(UnitRow.name == unit)
    if task_id is not None:
        query = query.where(TaskRow.task_id == task_id)
    today = as_of.astimezone(tz).date()
    found = []
    for row in await plain_rows(session, query):
        task_row, task_id, title, unit_name, milestone_id, action, end, moved = row[:8]
        if end is None:  # filtered out in SQL; this tells the type checker
            continue
        item = timeliness_item(
            (task_row, task_id, title),
            unit_name,
            (milestone_id, action, end),
            today,
            moved=moved,
            done_at=row[8:10],
            reported=bool(row[10]),
            tz=tz,
        )
        if window is None or in_window(item, window):
            found.append(item)
    return found
