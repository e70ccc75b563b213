"""Where each milestone of each (task, unit) stands, as of an instant: one rule, read by the
scheduler (what to prompt), the status layer (lights) and the core (what can be extended).

- A 已完成 entry for a milestone (or without a milestone: for every milestone of the pair)
  makes it *awaiting* sign-off (待验收), or *signed* (办结) when the bureau works without
  sign-off; leadership's 通过 signs it off; 退回 or the unit's 撤回 reopens it, until the
  next 已完成. A step names the 已完成 it is about: it counts for that report's round (no
  later 已完成 than the one it names), so a report and a step in the same second (a frozen
  clock, `--at` in whole seconds) still read in the order they were made.
- An approved extension moves the milestone's due date (the latest decision wins; one without
  a milestone moves every milestone of the pair).
- A milestone that waits for its event (`印发之日起20个工作日内`) has no dates until a unit
  reports the event; from then it is a deadline from the event day to the due date stored
  with the report (the latest report wins; an event is a fact of the task, so it starts the
  milestone for every owning unit), and an approved extension moves that date like any other.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal, TypeVar

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from storage.database import AnySelect, plain_rows
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
from storage.plans import task_labels, unit_names_by_row

MilestoneState = Literal["open", "awaiting", "signed"]
Key = tuple[int, int, int | None]
K = TypeVar("K")
V = TypeVar("V")


# A value, never assigned to; not frozen because a pass builds thousands (a frozen
# dataclass's __init__ costs about three times a plain one's: issue 13).
@dataclass(slots=True)
class MilestoneStatus:
    """One milestone of one (task, unit): its window, due date in force, and state."""

    task_row: int
    task_id: str
    title: str
    unit_id: int
    unit: str
    milestone_id: int
    kind: str
    action: str | None
    start: date | None
    end: date | None
    state: MilestoneState = "open"
    planned_end: date | None = None
    # The 已完成 entry that made it awaiting or signed (what a sign-off is about).
    done_entry_id: int | None = None
    done_at: datetime | None = None
    # A recurring deadline's nominal days between occurrences (reminders fit inside them).
    interval_days: int | None = None
    # The event an event milestone waits for; `waiting` until a unit reports it (then its
    # kind reads "deadline", from the event day to its due date).
    event: str | None = None
    waiting: bool = False

    @property
    def done(self) -> bool:
        """Return whether the unit reported it done (awaiting sign-off or signed off)."""
        return self.state != "open"

    @property
    def pair(self) -> tuple[int, int]:
        """Return (task row, unit id)."""
        return (self.task_row, self.unit_id)


# A row id in a query: a value, or an expression (a bound parameter, a subquery) when the
# query is built once and run many times.
RowId = int | ColumnElement[int]
Rows = Iterable[Sequence[Any]]


async def milestone_statuses(
    session: AsyncSession,
    as_of: datetime,
    *,
    signoff: bool = True,
    pair: tuple[int, int] | None = None,
    unit_id: int | None = None,
) -> list[MilestoneStatus]:
    """Return every milestone of every current pair (or one pair, or one unit's) in plan
    order, as of an instant (later entries, steps and decisions unseen)."""
    task_row = None
    if pair is not None:
        task_row, unit_id = pair
    reads = MilestoneReads.of(as_of, task_row=task_row, unit_id=unit_id)
    owners = owner_scope(task_row, unit_id)
    # Task and unit words come once per task and unit, not decoded again on every row.
    labels = await task_labels(session, *owners)
    names = await unit_names_by_row(session)
    return reads.statuses(
        *[await plain_rows(session, query) for query in reads.queries],
        labels=labels,
        names=names,
        signoff=signoff,
    )


def owner_scope(task_row: RowId | None, unit_id: RowId | None) -> list[ColumnElement[bool]]:
    """Return the conditions on task_owners that keep one task's, one unit's or one pair's."""
    return _pair_scope(TaskOwnerRow.task_id, TaskOwnerRow.unit_id, task_row, unit_id)


@dataclass(frozen=True, slots=True)
class MilestoneReads:
    """The queries milestone states are worked out from (every current pair's, or one
    task's, one unit's or one pair's), and the one rule that works them out."""

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
            .where(*scope)
            .order_by(TaskRow.position, TaskOwnerRow.position, MilestoneRow.position),
        )

    @property
    def queries(self) -> tuple[AnySelect, ...]:
        """Return the queries in the order `statuses` takes their rows."""
        return (self.done, self.steps, self.moves, self.events, self.milestones)

    @staticmethod
    def statuses(
        done_rows: Rows,
        step_rows: Rows,
        move_rows: Rows,
        event_rows: Rows,
        milestone_rows: Rows,
        *,
        labels: Mapping[int, tuple[str, str, str]],
        names: Mapping[int, str],
        signoff: bool = True,
    ) -> list[MilestoneStatus]:
        """Return the milestone states the queries' rows give, in plan order (rows in any
        order)."""
        done = {(t, u, m): (_aware(at), entry) for t, u, m, at, entry in done_rows}
        steps: dict[Key, dict[str, int]] = {}
        for t, u, m, verdict, entry in step_rows:
            steps.setdefault((t, u, m), {})[verdict] = int(entry)
        moved: dict[Key, date] = _latest(
            ((t, u, m), new_date, (decided_at, request))
            for t, u, m, new_date, decided_at, request in move_rows
        )
        happened: dict[int, tuple[date, date]] = _latest(
            (m_id, (day, due), (reported_at, event_id))
            for m_id, day, due, reported_at, event_id in event_rows
        )
        found = []
        for task_row, unit, m_id, kind, action, start, end, interval, event, *_ in sorted(
            milestone_rows, key=_in_plan_order
        ):
            code, _, title = labels[task_row]
            name = names[unit]
            own, whole = (task_row, unit, m_id), (task_row, unit, None)
            waiting = False
            if kind == "event":
                # Until its event is reported it waits, with no dates; then it is a deadline.
                reported = happened.get(m_id)
                if reported is None:
                    waiting = True
                else:
                    kind, (start, end) = "deadline", reported
            # The latest report is the one made last (the highest entry id).
            latest_done = done.get(own)
            for_all = done.get(whole)
            if for_all is not None and (latest_done is None or for_all[1] > latest_done[1]):
                latest_done = for_all
            state: MilestoneState = "open"
            if latest_done is not None:
                state = _state(latest_done[1], steps.get(own, {}), steps.get(whole, {}), signoff)
            new_end = (moved.get(own) or moved.get(whole)) if moved else None
            found.append(
                MilestoneStatus(
                    task_row,
                    code,
                    title,
                    unit,
                    name,
                    m_id,
                    kind,
                    action,
                    start,
                    new_end if new_end is not None and end is not None else end,
                    state,
                    end,
                    latest_done[1] if latest_done and state != "open" else None,
                    latest_done[0] if latest_done and state != "open" else None,
                    interval,
                    event,
                    waiting,
                )
            )
        return found


def _in_plan_order(row: Sequence[Any]) -> tuple[int, int, int]:
    """Return a milestone row's place: its task's, its owner's among the task's owners, and
    its own among the task's milestones."""
    return (row[-3], row[-2], row[-1])


def _latest(items: Iterable[tuple[K, V, tuple[datetime, int]]]) -> dict[K, V]:
    """Return per key the value of its latest item: the one made last by (when, row id)."""
    latest: dict[K, V] = {}
    made: dict[K, tuple[datetime, int]] = {}
    for key, value, when in items:
        if key not in made or when > made[key]:
            latest[key], made[key] = value, when
    return latest


def _state(
    done_entry: int,
    own: dict[str, int],
    whole: dict[str, int],
    signoff: bool,
) -> MilestoneState:
    """Return a reported milestone's state from the latest 已完成 and, per kind of step, the
    latest 已完成 a step of that kind was about (entry ids grow with every report)."""

    def about_latest(*verdicts: str) -> bool:
        named = [e for v in verdicts for e in (own.get(v), whole.get(v)) if e is not None]
        return max(named, default=0) >= done_entry

    if about_latest("return", "withdraw"):
        return "open"
    if not signoff:
        return "signed"
    return "signed" if about_latest("pass") else "awaiting"


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
    """Select (when, entry id) of the latest 已完成 per (task, unit, milestone or None)."""
    return (
        select(
            EntryRow.task_id,
            EntryRow.unit_id,
            EntryRow.milestone_id,
            func.max(EntryRow.created_at),
            func.max(EntryRow.id),
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
        .order_by(ExtensionDecisionRow.decided_at, ExtensionRow.id)
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
    return (
        select(
            MilestoneEventRow.milestone_id,
            MilestoneEventRow.event_day,
            MilestoneEventRow.due,
            MilestoneEventRow.created_at,
            MilestoneEventRow.id,
        )
        .where(*scope)
        .order_by(MilestoneEventRow.created_at, MilestoneEventRow.id)
    )


def _aware(value: datetime | str) -> datetime:
    """Return an aggregate's datetime aware (SQLite's max() hands back naive UTC text)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
