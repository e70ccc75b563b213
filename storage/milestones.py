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

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Literal

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from storage.database import plain_rows
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
    done = await _latest_done(session, as_of, pair, unit_id)
    steps = await _latest_steps(session, as_of, pair, unit_id)
    moved = await _moves(session, as_of, pair, unit_id)
    happened = await _events(session, as_of, pair, unit_id)
    scope: list[ColumnElement[bool]] = [
        TaskRow.archived_at.is_(None),
        MilestoneRow.archived_at.is_(None),
    ]
    owners: list[ColumnElement[bool]] = []
    if pair is not None:
        owners += [TaskOwnerRow.task_id == pair[0], TaskOwnerRow.unit_id == pair[1]]
    if unit_id is not None:
        owners.append(TaskOwnerRow.unit_id == unit_id)
    scope += owners
    # Task and unit words come once per task and unit, not decoded again on every row.
    labels = await task_labels(session, *owners)
    names = await unit_names_by_row(session)
    rows = await plain_rows(
        session,
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
        )
        .select_from(TaskOwnerRow)
        .join(TaskRow, TaskRow.id == TaskOwnerRow.task_id)
        .join(MilestoneRow, MilestoneRow.task_id == TaskRow.id)
        .where(*scope)
        .order_by(TaskRow.position, TaskOwnerRow.position, MilestoneRow.position),
    )
    found = []
    for task_row, unit, m_id, kind, action, start, end, interval, event in rows:
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
    pair: tuple[int, int] | None,
    unit_id: int | None,
) -> list[ColumnElement[bool]]:
    scope: list[ColumnElement[bool]] = []
    if pair is not None:
        scope += [task == pair[0], unit == pair[1]]
    if unit_id is not None:
        scope.append(unit == unit_id)
    return scope


async def _latest_done(
    session: AsyncSession, as_of: datetime, pair: tuple[int, int] | None, unit_id: int | None
) -> dict[Key, tuple[datetime, int]]:
    """Return (when, entry id) of the latest 已完成 per (task, unit, milestone or None)."""
    rows = await plain_rows(
        session,
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
            *_pair_scope(EntryRow.task_id, EntryRow.unit_id, pair, unit_id),
        )
        .group_by(EntryRow.task_id, EntryRow.unit_id, EntryRow.milestone_id),
    )
    return {(t, u, m): (_aware(at), entry) for t, u, m, at, entry in rows}


async def _latest_steps(
    session: AsyncSession, as_of: datetime, pair: tuple[int, int] | None, unit_id: int | None
) -> dict[Key, dict[str, int]]:
    """Return, per (task, unit, milestone or None) and verdict, the latest 已完成 entry a
    sign-off step was about (steps after `as_of` unseen)."""
    rows = await session.execute(
        select(
            SignoffRow.task_id,
            SignoffRow.unit_id,
            SignoffRow.milestone_id,
            SignoffRow.verdict,
            func.max(SignoffRow.entry_id),
        )
        .where(
            SignoffRow.at <= as_of,
            *_pair_scope(SignoffRow.task_id, SignoffRow.unit_id, pair, unit_id),
        )
        .group_by(
            SignoffRow.task_id, SignoffRow.unit_id, SignoffRow.milestone_id, SignoffRow.verdict
        )
    )
    found: dict[Key, dict[str, int]] = {}
    for t, u, m, verdict, entry in rows:
        found.setdefault((t, u, m), {})[verdict] = int(entry)
    return found


async def _moves(
    session: AsyncSession, as_of: datetime, pair: tuple[int, int] | None, unit_id: int | None
) -> dict[Key, date]:
    """Return the due date in force per (task, unit, milestone or None) after approvals."""
    moved: dict[Key, date] = {}
    for t, u, m, new_date in await session.execute(
        select(
            ExtensionRow.task_id,
            ExtensionRow.unit_id,
            ExtensionRow.milestone_id,
            ExtensionRow.new_date,
        )
        .join(ExtensionDecisionRow, ExtensionDecisionRow.request_id == ExtensionRow.id)
        .where(
            ExtensionDecisionRow.approve.is_(True),
            ExtensionDecisionRow.decided_at <= as_of,
            *_pair_scope(ExtensionRow.task_id, ExtensionRow.unit_id, pair, unit_id),
        )
        .order_by(ExtensionDecisionRow.decided_at, ExtensionRow.id)
    ):
        moved[(t, u, m)] = new_date  # the latest decision wins
    return moved


async def _events(
    session: AsyncSession, as_of: datetime, pair: tuple[int, int] | None, unit_id: int | None
) -> dict[int, tuple[date, date]]:
    """Return (event day, due date) per event milestone whose event was reported by as_of.

    An event starts the milestone for every owner of the task, whoever reported it.
    """
    scope: list[ColumnElement[bool]] = [MilestoneEventRow.created_at <= as_of]
    if pair is not None:
        scope.append(MilestoneEventRow.task_id == pair[0])
    if unit_id is not None:
        owned = select(TaskOwnerRow.task_id).where(TaskOwnerRow.unit_id == unit_id)
        scope.append(MilestoneEventRow.task_id.in_(owned))
    found: dict[int, tuple[date, date]] = {}
    for milestone_id, day, due in await session.execute(
        select(MilestoneEventRow.milestone_id, MilestoneEventRow.event_day, MilestoneEventRow.due)
        .where(*scope)
        .order_by(MilestoneEventRow.created_at, MilestoneEventRow.id)
    ):
        found[milestone_id] = (day, due)  # the latest report wins
    return found


def _aware(value: datetime | str) -> datetime:
    """Return an aggregate's datetime aware (SQLite's max() hands back naive UTC text)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
