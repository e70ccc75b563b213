"""Timeliness per deadline milestone and per unit: on time, late, not reported.

PROVISIONAL (issue 15, until issue 11 gives the status layer its own per-unit timeliness):
this is the one place the web board and the documents (督查通报, the board's tiles) read
timeliness from; swap the body of `milestone_timeliness` for the status layer's answer and
both follow. What today's ledger honestly supports:

- a deadline milestone done (a `done` entry naming it, or naming no milestone) on or before
  its due date (as extended by an approved extension, DESIGN "Progress") → on time;
- done after its due date → late;
- past due and not done → late when the unit has reported anything on the (task, unit) pair,
  not reported when it has never reported on it;
- not yet due and not done → pending (counted nowhere).
"Done on" is the local day of the first `done` entry; entries and decisions after `as_of`
are ignored, so the past reads as it was.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Literal
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
from vocabulary import DEFAULT_TZ

Timeliness = Literal["on_time", "late", "not_reported", "pending"]


# A value, never assigned to; not frozen because a pass builds thousands (a frozen
# dataclass's __init__ costs about three times a plain one's: issue 13).
@dataclass(slots=True)
class MilestoneTimeliness:
    """One deadline milestone of one (task, unit) pair and how timely it was."""

    task_row: int
    task_id: str
    title: str
    unit: str
    milestone_id: int
    action: str | None
    planned_due: date
    due: date
    done_on: date | None
    reported: bool
    kind: Timeliness


@dataclass(frozen=True, slots=True)
class UnitTimeliness:
    """A unit's deadline milestones counted by timeliness (pending ones are not shown)."""

    unit: str
    on_time: int = 0
    late: int = 0
    not_reported: int = 0
    pending: int = 0

    @property
    def due(self) -> int:
        """Return how many milestones were due or done (on time + late + not reported)."""
        return self.on_time + self.late + self.not_reported


def classify_timeliness(
    due: date, done_on: date | None, reported: bool, today: date
) -> Timeliness:
    """Return how timely one deadline milestone is (pure; rules in the module docstring)."""
    if done_on is not None:
        return "on_time" if done_on <= due else "late"
    if due >= today:
        return "pending"
    return "late" if reported else "not_reported"


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
        firsts = [at for at in row[8:10] if at is not None]
        done_on = min(firsts).astimezone(tz).date() if firsts else None
        due = moved or end
        item = MilestoneTimeliness(
            task_row=task_row,
            task_id=task_id,
            title=title,
            unit=unit_name,
            milestone_id=milestone_id,
            action=action,
            planned_due=end,
            due=due,
            done_on=done_on,
            reported=bool(row[10]),
            kind=classify_timeliness(due, done_on, bool(row[10]), today),
        )
        if window is None or _in_window(item, window):
            found.append(item)
    return found


def reclassified(items: Iterable[MilestoneTimeliness], today: date) -> list[MilestoneTimeliness]:
    """Return the items as they stand on a later day with the same ledger (what was pending
    may have fallen due)."""
    found = []
    for item in items:
        kind = classify_timeliness(item.due, item.done_on, item.reported, today)
        found.append(item if kind == item.kind else replace(item, kind=kind))
    return found


def _in_window(item: MilestoneTimeliness, window: tuple[date, date]) -> bool:
    first, last = window
    if item.done_on is not None and first <= item.done_on <= last:
        return True
    return first <= item.due <= last and item.kind != "pending"


def unit_timeliness(
    items: Iterable[MilestoneTimeliness], units: Sequence[str] = ()
) -> list[UnitTimeliness]:
    """Return the counts per unit, in the order of `units` (then any other unit met)."""
    tally: dict[str, dict[Timeliness, int]] = {u: {} for u in units}
    for item in items:
        counts = tally.setdefault(item.unit, {})
        counts[item.kind] = counts.get(item.kind, 0) + 1
    return [
        UnitTimeliness(
            unit,
            on_time=c.get("on_time", 0),
            late=c.get("late", 0),
            not_reported=c.get("not_reported", 0),
            pending=c.get("pending", 0),
        )
        for unit, c in tally.items()
    ]
