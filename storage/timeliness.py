"""Timeliness per deadline milestone and per unit: on time, late, not reported.

The web board, the documents (督查通报, the board's tiles) and the weekly digest all count
from `timeliness_of`, over the milestone states the scheduler and the lights read
(`storage.milestones`). What today's ledger honestly supports:

- a deadline milestone done (a `done` entry naming it, or naming no milestone) on or before
  its due date (as extended by an approved extension, DESIGN "Progress") → on time;
- done after its due date → late;
- past due and not done → late when the unit has reported anything on the (task, unit) pair,
  not reported when it has never reported on it;
- not yet due and not done → pending (counted nowhere).
"Done on" is the local day of the first `done` entry; entries and decisions after `as_of`
are ignored, so the past reads as it was. The due date in force and the first `done` are the
milestone state's (`storage.milestones` holds the one rule of extensions);
`storage.timeliness_queries` reads the states from the ledger.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal
from zoneinfo import ZoneInfo

from storage.milestones import MilestoneStatus
from storage.status import StatusFacts

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


def timeliness_of(
    milestones: Iterable[MilestoneStatus],
    reported: Container[tuple[int, int]],
    today: date,
    tz: ZoneInfo,
) -> list[MilestoneTimeliness]:
    """Return how timely each deadline milestone is as of a day, in the given order, from
    the milestone states (`storage.milestones`: the due date in force and the first 已完成)
    and the pairs the units have reported anything on (pure)."""
    found = []
    for m in milestones:
        planned, due = m.planned_end, m.end
        if not m.timed or planned is None or due is None:  # (types: `timed` says)
            continue
        first = m.first_done_at
        done_on = first.astimezone(tz).date() if first is not None else None
        was_reported = m.pair in reported
        found.append(
            MilestoneTimeliness(
                task_row=m.task_row,
                task_id=m.task_id,
                title=m.title,
                unit=m.unit,
                milestone_id=m.milestone_id,
                action=m.action,
                planned_due=planned,
                due=due,
                done_on=done_on,
                reported=was_reported,
                kind=classify_timeliness(due, done_on, was_reported, today),
            )
        )
    return found


def facts_timeliness(facts: StatusFacts, today: date, tz: ZoneInfo) -> list[MilestoneTimeliness]:
    """Return every deadline's timeliness as of a day from status facts (pure): their
    milestone states, and a pair has reported when it has a latest entry."""
    reported = {(p[0], p[4]) for p in facts.pairs if p[-1] is not None}
    milestones = (m for pair in facts.milestones.values() for m in pair)
    return timeliness_of(milestones, reported, today, tz)


def in_window(item: MilestoneTimeliness, window: tuple[date, date]) -> bool:
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
