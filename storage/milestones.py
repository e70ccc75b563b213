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

The rule is pure (`statuses_of`, over the stored milestones and the facts that move them):
`storage.milestone_queries` reads both from the ledger; a plan's fresh ledger held in memory
(`storage.fresh_ledger`) has its milestones and none of those facts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from operator import itemgetter
from typing import Any, Literal, TypeVar

# A milestone row's place: its task's, its owner's among the task's owners, and its own among
# the task's milestones (the last three columns; a C getter, as thousands are sorted a pass).
_IN_PLAN_ORDER = itemgetter(-3, -2, -1)
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
    # The first 已完成 naming it or naming no milestone, whatever came after (timeliness
    # counts the day it was first reported done: `storage.timeliness`).
    first_done_at: datetime | None = None

    @property
    def done(self) -> bool:
        """Return whether the unit reported it done (awaiting sign-off or signed off)."""
        return self.state != "open"

    @property
    def timed(self) -> bool:
        """Return whether timeliness counts it: a deadline with its date as the plan wrote
        it (an event milestone does not, even once its event starts it)."""
        return self.event is None and self.kind == "deadline" and self.planned_end is not None

    @property
    def pair(self) -> tuple[int, int]:
        """Return (task row, unit id)."""
        return (self.task_row, self.unit_id)


Rows = Iterable[Sequence[Any]]


def statuses_of(
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
    """Return the milestone states the rows of `storage.milestone_queries.MilestoneReads`
    give, in plan order (rows in any order): stored milestones (`milestone_rows`) and the
    facts that move them."""
    # Per (task, unit, milestone or None): the latest 已完成 (when, entry id) and the first.
    done = {(t, u, m): (_aware(at), entry) for t, u, m, at, entry, _ in done_rows}
    first_done = {(t, u, m): _aware(at) for t, u, m, _, _, at in done_rows}
    steps: dict[Key, dict[str, int]] = {}
    for t, u, m, verdict, entry in step_rows:
        steps.setdefault((t, u, m), {})[verdict] = int(entry)
    # Per milestone (and per pair: milestone None), the latest approved move and when it was
    # decided: of a milestone's own and its pair's, the later decision wins.
    moved: dict[Key, tuple[tuple[datetime, int], date]] = _latest(
        ((t, u, m), ((decided_at, request), new_date), (decided_at, request))
        for t, u, m, new_date, decided_at, request in move_rows
    )
    happened: dict[int, tuple[date, date]] = _latest(
        (m_id, (day, due), (reported_at, event_id))
        for m_id, day, due, reported_at, event_id in event_rows
    )
    found = []
    for task_row, unit, m_id, kind, action, start, end, interval, event, _, _, _ in sorted(
        milestone_rows, key=_IN_PLAN_ORDER
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
        first_at = None
        if latest_done is not None:
            first_at = _earlier(first_done.get(own), first_done.get(whole))
            state = _state(latest_done[1], steps.get(own, {}), steps.get(whole, {}), signoff)
        new_end = _later_move(moved.get(own), moved.get(whole)) if moved else None
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
                first_at,
            )
        )
    return found


def _latest(items: Iterable[tuple[K, V, tuple[datetime, int]]]) -> dict[K, V]:
    """Return per key the value of its latest item: the one made last by (when, row id)."""
    latest: dict[K, V] = {}
    made: dict[K, tuple[datetime, int]] = {}
    for key, value, when in items:
        if key not in made or when > made[key]:
            latest[key], made[key] = value, when
    return latest


def _earlier(one: datetime | None, other: datetime | None) -> datetime | None:
    if one is None or other is None:
        return one or other
    return min(one, other)


def _later_move(
    own: tuple[tuple[datetime, int], date] | None,
    whole: tuple[tuple[datetime, int], date] | None,
) -> date | None:
    """Return the due date the later of a milestone's own and its pair's moves set."""
    if own is None or whole is None:
        found = own or whole
        return found[1] if found else None
    return max(own, whole)[1]


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


def _aware(value: datetime | str) -> datetime:
    """Return an aggregate's datetime aware (SQLite's max() hands back naive UTC text)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
