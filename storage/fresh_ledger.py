"""The ledger a plan's first import leaves, held in memory, with no database at all.

It is what `storage.plans.import_plan` writes into an empty database, read back as the
queries read it: units, tasks and milestones numbered in plan order (as the import's inserts
number them), each task's owners placed by `storage.plan_rows.stored_owners`, every current
(task, unit) pair and its milestones in plan order (task, then owner, then milestone: the
queries' ORDER BY). The milestones' states come from `storage.milestones.statuses_of`, the
status rows' facts are a `storage.status.StatusFacts` (timeliness follows from the
milestones, `storage.timeliness`): the same rules the queries hand their rows to.

What moves any of it is trivially empty in a fresh ledger: no entries (so no latest entry, no
progress read against a target, no 已完成), no sign-off steps, no extension requests or
decisions, no reported events, no pauses, nothing in the outbox (so no prompt sent, no 未报)
and no chat bound.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import count
from typing import Any

from plan_data.model import Plan
from storage.milestones import MilestoneStatus, statuses_of
from storage.plan_rows import stored_owners
from storage.status import Pair, StatusFacts, by_pair


@dataclass(frozen=True, slots=True)
class FreshLedger:
    """A plan's ledger just after its first import."""

    year: int
    # The current units, in plan order, and every unit's row id.
    units: tuple[str, ...]
    unit_ids: dict[str, int]
    # Every milestone of every current pair, in plan order.
    milestones: list[MilestoneStatus]
    status: StatusFacts


def fresh_ledger(plan: Plan, *, signoff: bool = True) -> FreshLedger:
    """Return the ledger importing `plan` into an empty database leaves (the same at any
    instant: nothing in it moves with time)."""
    unit_ids = {name: row for row, name in enumerate(plan.units, start=1)}
    names = {row: name for name, row in unit_ids.items()}
    labels: dict[int, tuple[str, str, str]] = {}
    pairs: list[Pair] = []
    # Stored milestones as `storage.milestone_queries.MilestoneReads` selects them: task row,
    # unit id, milestone id, kind, action, start, end, interval days, event, and the places
    # of the task, of the owner among its owners and of the milestone among its milestones.
    rows: list[tuple[Any, ...]] = []
    milestone_ids = count(1)
    for task_row, task in enumerate(plan.tasks, start=1):
        code, chapter, title = labels[task_row] = (task.id, task.chapter, task.title)
        stored = [
            (next(milestone_ids), m.kind, m.action, m.start, m.end, m.interval_days, m.event)
            for m in task.milestones
        ]
        owners = sorted(stored_owners(task, unit_ids).items(), key=lambda owner: owner[1][0])
        for unit_id, (place, role) in owners:
            # No entry yet: none counted, no latest one.
            pairs.append((task_row, code, chapter, title, unit_id, names[unit_id], role, 0, None))
            rows += [
                (task_row, unit_id, *columns, task_row, place, m_place)
                for m_place, columns in enumerate(stored)
            ]
    # No 已完成, sign-off step, approved extension or reported event: only the milestones.
    milestones = statuses_of([], [], [], [], rows, labels=labels, names=names, signoff=signoff)
    status = StatusFacts(
        pairs=pairs,
        milestones=by_pair(milestones),
        latest={},
        unanswered={},
        paused={},
        progress={},
        year=plan.year,
    )
    return FreshLedger(plan.year, plan.units, unit_ids, milestones, status)
