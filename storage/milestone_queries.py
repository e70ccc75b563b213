"""Read where each milestone of each (task, unit) stands from the ledger, as of an instant:
the stored milestones and the entries, sign-off steps, approved extensions and reported
events that move them (the rule itself is `storage.milestones.statuses_of`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from storage.database import AnySelect, plain_rows
from storage.milestones import MilestoneStatus, statuses_of
from storage.models import (
    EntryRow,
    ExtensionDecisionRow,
    ExtensionRow,
    MilestoneEventRow,
    MilestoneRow,
    SignoffRow,
    TaskOwnerRow,
    TaskRow,
)
from storage.plans import labels_covering, unit_names_by_row

# A row id in a query: a value, or an expression (a bound parameter, a subquery) when the
# query is built once and run many times.
RowId = int | ColumnElement[int]


async def milestone_statuses(
    session: AsyncSession,
    as_of: datetime,
    *,
    signoff: bool = True,
    pair: tuple[int, int] | None = None,
    unit_id: RowId | None = None,
    task_row: RowId | None = None,
    labels: Mapping[int, tuple[str, str, str]] | None = None,
) -> list[MilestoneStatus]:
    """Return every milestone of every current pair (or one pair's, one unit's or one
    task's) in plan order, as of an instant (later entries, steps and decisions unseen);
    `labels`: every current task's (`storage.plans.task_labels`), if already read."""
    if pair is not None:
        task_row, unit_id = pair
    reads = MilestoneReads.of(as_of, task_row=task_row, unit_id=unit_id)
    owners = owner_scope(task_row, unit_id)
    found = [(await plain_rows(session, query)).all() for query in reads.queries]
    # Task and unit words come once per task and unit, not decoded again on every row.
    milestone_rows = found[-1]
    labels = await labels_covering(session, map(itemgetter(0), milestone_rows), labels, *owners)
    names = await unit_names_by_row(session)
    return reads.statuses(*found, labels=labels, names=names, signoff=signoff)


def owner_scope(task_row: RowId | None, unit_id: RowId | None) -> list[ColumnElement[bool]]:
    """Return the conditions on task_owners that keep one task's, one unit's or one pair's."""
    return _pair_scope(TaskOwnerRow.task_id, TaskOwnerRow.unit_id, task_row, unit_id)


@dataclass(frozen=True, slots=True)
class MilestoneReads:
    """The queries milestone states are worked out from (every current pair's, or one
    task's, one unit's or one pair's), and the one rule that works them out. Their rows come
    in no particular order: the rule sorts them into plan order and picks the latest fact by
    its time, so the database sorts nothing."""

    done: AnySelect
    steps: AnySelect
    moves: AnySelect
    events: AnySelect
    milestones: AnySelect

    @classmethod
    def of(
        cls,
        as_of: datetime | ColumnElement[datetime],
        *,
        task_row: RowId | None = None,
        unit_id: RowId | None = None,
    ) -> MilestoneReads:
        """Return the queries as of an instant (values, or bound parameters)."""
        scope: list[ColumnElement[bool]] = [
            TaskRow.archived_at.is_(None),
            MilestoneRow.archived_at.is_(None),
            *owner_scope(task_row, unit_id),
        ]
        return cls(
            _latest_done(as_of, task_row, unit_id),
            _latest_steps(as_of, task_row, unit_id),
            _moves(as_of, task_row, unit_id),
            _events(as_of, task_row, unit_id),
            select(
                TaskRow.id,
                TaskOwnerRow.unit_id,
                MilestoneRow.id,
                MilestoneRow.kind,
                MilestoneRow.action,
                MilestoneRow.start,
                MilestoneRow.end,
                MilestoneRow.interval_days,
                MilestoneRow.event,
                TaskRow.position,
                TaskOwnerRow.position,
                MilestoneRow.position,
            )
            .select_from(TaskOwnerRow)
            .join(TaskRow, TaskRow.id == TaskOwnerRow.task_id)
            .join(MilestoneRow, MilestoneRow.task_id == TaskRow.id)
            .where(*scope),
        )

    @property
    def queries(self) -> tuple[AnySelect, ...]:
        """Return the queries in the order `statuses` takes their rows."""
        return (self.done, self.steps, self.moves, self.events, self.milestones)

    # The one rule that works the states out from the queries' rows.
    statuses = staticmethod(statuses_of)


def _pair_scope(
    task: InstrumentedAttribute[int],
    unit: InstrumentedAttribute[int],
    task_row: RowId | None,
    unit_id: RowId | None,
) -> list[ColumnElement[bool]]:
    scope: list[ColumnElement[bool]] = []
    if task_row is not None:
        scope.append(task == task_row)
    if unit_id is not None:
        scope.append(unit == unit_id)
    return scope


def _latest_done(
    as_of: datetime | ColumnElement[datetime], task_row: RowId | None, unit_id: RowId | None
) -> AnySelect:
    """Select (when, entry id) of the latest 已完成 per (task, unit, milestone or None), and
    when the first was made."""
    return (
        select(
            EntryRow.task_id,
            EntryRow.unit_id,
            EntryRow.milestone_id,
            func.max(EntryRow.created_at),
            func.max(EntryRow.id),
            func.min(EntryRow.created_at),
        )
        .where(
            EntryRow.status == "done",
            EntryRow.created_at <= as_of,
            *_pair_scope(EntryRow.task_id, EntryRow.unit_id, task_row, unit_id),
        )
        .group_by(EntryRow.task_id, EntryRow.unit_id, EntryRow.milestone_id)
    )


def _latest_steps(
    as_of: datetime | ColumnElement[datetime], task_row: RowId | None, unit_id: RowId | None
) -> AnySelect:
    """Select, per (task, unit, milestone or None) and verdict, the latest 已完成 entry a
    sign-off step was about (steps after `as_of` unseen)."""
    return (
        select(
            SignoffRow.task_id,
            SignoffRow.unit_id,
            SignoffRow.milestone_id,
            SignoffRow.verdict,
            func.max(SignoffRow.entry_id),
        )
        .where(
            SignoffRow.at <= as_of,
            *_pair_scope(SignoffRow.task_id, SignoffRow.unit_id, task_row, unit_id),
        )
        .group_by(
            SignoffRow.task_id, SignoffRow.unit_id, SignoffRow.milestone_id, SignoffRow.verdict
        )
    )


def _moves(
    as_of: datetime | ColumnElement[datetime], task_row: RowId | None, unit_id: RowId | None
) -> AnySelect:
    """Select the approved new due dates per (task, unit, milestone or None), each with
    when it was decided (the latest decision wins)."""
    return (
        select(
            ExtensionRow.task_id,
            ExtensionRow.unit_id,
            ExtensionRow.milestone_id,
            ExtensionRow.new_date,
            ExtensionDecisionRow.decided_at,
            ExtensionRow.id,
        )
        .join(ExtensionDecisionRow, ExtensionDecisionRow.request_id == ExtensionRow.id)
        .where(
            ExtensionDecisionRow.approve.is_(True),
            ExtensionDecisionRow.decided_at <= as_of,
            *_pair_scope(ExtensionRow.task_id, ExtensionRow.unit_id, task_row, unit_id),
        )
    )


def _events(
    as_of: datetime | ColumnElement[datetime], task_row: RowId | None, unit_id: RowId | None
) -> AnySelect:
    """Select (event day, due date) per event milestone whose event was reported by as_of,
    each with when it was reported (the latest report wins).

    An event starts the milestone for every owner of the task, whoever reported it.
    """
    scope: list[ColumnElement[bool]] = [MilestoneEventRow.created_at <= as_of]
    if task_row is not None:
        scope.append(MilestoneEventRow.task_id == task_row)
    if unit_id is not None:
        owned = select(TaskOwnerRow.task_id).where(TaskOwnerRow.unit_id == unit_id)
        scope.append(MilestoneEventRow.task_id.in_(owned))
    return select(
        MilestoneEventRow.milestone_id,
        MilestoneEventRow.event_day,
        MilestoneEventRow.due,
        MilestoneEventRow.created_at,
        MilestoneEventRow.id,
    ).where(*scope)
