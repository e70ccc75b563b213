"""The read views every door shows: status rows, one task, due soon, overdue, history."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from core.errors import UnknownMilestone
from core.runtime import Core
from storage import plans, progress, status_queries
from storage.records import EntryRecord, StatusRow, TaskRecord


@dataclass(frozen=True)
class TaskView:
    """One task with each owner's status row and its entries (oldest first)."""

    task: TaskRecord
    rows: list[StatusRow]
    entries: list[EntryRecord]


async def rows(core: Core, unit: str | None = None, *, counted: bool = False) -> list[StatusRow]:
    """Return the status rows of one unit, or of the whole bureau, as of now.

    A chat shows no entry counts, so a row's `entries` is 1 or 0 (any entry or none; the
    lights are the same): counting is most of the read on a big ledger. `counted` gives each
    row its pair's number of entries (`duban status` prints them), read afresh every time.
    """
    now = core.now()
    today = now.astimezone(core.tz).date()
    if not counted and (cached := core.statuses.get(unit, today)) is not None:
        return cached
    found = await status_queries.read_rows(
        core.db, now, unit, core.tz, count_entries=counted, rules=core.rules
    )
    if not counted:
        core.statuses.put(unit, today, found)
    return found


async def task_view(core: Core, task_id: str, unit: str | None = None) -> TaskView:
    """Return a task, its rows (one unit's, or every owner's) and its entries."""
    async with core.db.session(readonly=True) as session:
        task = await plans.task_by_id(session, task_id)
        found = await status_queries.status_rows(
            session, core.now(), unit, core.tz, rules=core.rules, task_row=task.row
        )
        owners = task.units if unit is None else [u for u in task.units if u == unit]
        entries = await progress.task_entries(session, task.id, owners, core.now())
    return TaskView(task, found, entries)


async def milestone_id(core: Core, task_id: str, position: int) -> int:
    """Return the id of a task's milestone by its place (1 = the first), as people count."""
    async with core.db.session(readonly=True) as session:
        task = await plans.task_by_id(session, task_id)
    if not 1 <= position <= len(task.milestones):
        raise UnknownMilestone(position, task.id)
    return task.milestones[position - 1].id


def due_within(days: int, found: Sequence[StatusRow], today: date) -> list[StatusRow]:
    """Return open rows due within the next `days` days, soonest first."""
    end = today + timedelta(days=days)
    due = [r for r in found if r.light != "done" and r.next_due and today <= r.next_due <= end]
    return sorted(due, key=lambda r: (r.next_due or end, r.task_id))


def overdue(found: Sequence[StatusRow]) -> list[StatusRow]:
    """Return the rows whose open deadline has passed, longest overdue first."""
    late = [r for r in found if r.light == "red"]
    return sorted(late, key=lambda r: (r.next_due or date.max, r.task_row))
