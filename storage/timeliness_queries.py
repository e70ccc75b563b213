"""Read each deadline milestone's timeliness from the ledger, as of an instant: the milestone
states (`storage.milestone_queries`, whose rule also gives the due date an extension sets)
and which pairs have any report (the rules: `storage.timeliness`)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.database import plain_rows
from storage.milestone_queries import milestone_statuses, owner_scope
from storage.models import EntryRow, TaskOwnerRow, TaskRow, UnitRow
from storage.timeliness import MilestoneTimeliness, in_window, timeliness_of
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
    unit_id: ColumnElement[int] | None = None
    task_row: ColumnElement[int] | None = None
    if unit is not None:
        unit_id = select(UnitRow.id).where(UnitRow.name == unit).scalar_subquery()
    if task_id is not None:
        current = (TaskRow.task_id == task_id, TaskRow.archived_at.is_(None))
        task_row = select(TaskRow.id).where(*current).scalar_subquery()
    milestones = await milestone_statuses(session, as_of, unit_id=unit_id, task_row=task_row)
    reported = await _reported_pairs(session, as_of, owner_scope(task_row, unit_id))
    today = as_of.astimezone(tz).date()
    found = timeliness_of(milestones, reported, today, tz)
    if window is None:
        return found
    return [item for item in found if in_window(item, window)]


async def _reported_pairs(
    session: AsyncSession, as_of: datetime, owners: list[ColumnElement[bool]]
) -> set[tuple[int, int]]:
    """Return the pairs (task row, unit id) with any entry up to an instant."""
    any_entry = exists().where(
        EntryRow.unit_id == TaskOwnerRow.unit_id,
        EntryRow.task_id == TaskOwnerRow.task_id,
        EntryRow.created_at <= as_of,
    )
    query = select(TaskOwnerRow.task_id, TaskOwnerRow.unit_id).where(any_entry, *owners)
    return {(t, u) for t, u in await plain_rows(session, query)}
