"""A status row per (task, unit) as of an instant, with its light: the rules.

Lights (DESIGN "Progress", issue 11):
- ✅ done (办结): every deadline milestone signed off (every milestone, for ongoing or
  period-only work); with sign-off turned off, reported done is enough.
- 🔴 red (逾期): an open deadline (after any approved extension) has passed.
- 🟡 yellow (预警): an open deadline within the warning window, or the latest report is
  遇到困难, or the work is behind its pace.
- 🟢 green (正常): everything else that is open, ongoing work included; reported done and
  waiting for sign-off (待验收) is green too.
The reason is kept as facts beside the light (`Reason`); "no report for N workdays since a
prompt" is a flag (未报), never a colour; a paused unit's rows carry the pause. A row keeps the
latest progress against each of its targets and its pace (序时进度, `storage.pace`), and the
events its milestones still wait for (待触发).
Milestone states come from `storage.milestones` (the one rule the scheduler reads too);
entries and decisions after `as_of` are ignored, so the past reads as it was.
The rules here are pure, over `StatusFacts`; `storage.status_queries` reads the facts from
the ledger, and `storage.fresh_ledger` gives a plan's fresh ledger's without one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from storage import pauses
from storage.milestones import MilestoneStatus
from storage.pace import PACE_MARGIN, pace_of
from storage.records import (
    EntryStatus,
    Light,
    OpenMilestone,
    Reason,
    SignoffState,
    StatusRow,
    TargetProgress,
)
from vocabulary import DEFAULT_TZ

WARN_DAYS = 7
UNREPORTED_WORKDAYS = 20


@dataclass(frozen=True)
class StatusRules:
    """What the lights weigh (the policy's settings; the defaults are DESIGN's)."""

    warn_days: int = WARN_DAYS
    unreported_workdays: int = UNREPORTED_WORKDAYS
    signoff: bool = True
    # Workdays in (after, until]: the official calendar when the caller has one; storage
    # knows no calendar, so the fallback counts Monday to Friday.
    workdays_between: Callable[[date, date], int] | None = None
    # 序时进度: points behind the elapsed share that turn a row 🟡, and whether the elapsed
    # share counts workdays (else calendar days).
    pace_margin: int = PACE_MARGIN
    pace_workdays: bool = True

    def workdays(self, after: date, until: date) -> int:
        """Return how many workdays lie in (after, until]."""
        if self.workdays_between is not None:
            return self.workdays_between(after, until)
        days = (until - after).days
        return sum((after + timedelta(days=n)).weekday() < 5 for n in range(1, days + 1))


# A value, never assigned to; not frozen because a pass builds thousands (a frozen
# dataclass's __init__ costs about three times a plain one's: issue 13).
@dataclass(slots=True)
class MilestoneShape:
    """What a pair's milestones say whatever the day: whether it is done (every deadline
    signed off; every milestone, for work without deadlines), whether one awaits sign-off,
    the earliest open due date in force, the open deadlines by due date, and the events
    open milestones still wait for."""

    done: bool
    awaiting: bool
    first_due: date | None
    open: tuple[OpenMilestone, ...]
    waiting: tuple[str, ...]


def milestone_shape(milestones: Sequence[MilestoneStatus]) -> MilestoneShape:
    """Return what a pair's milestones say whatever the day (one pass over them)."""
    has_deadline = False
    deadlines_signed = every_signed = True
    awaiting = False
    open_ms: list[OpenMilestone] = []
    waiting: tuple[str, ...] = ()
    for m in milestones:
        state = m.state
        if state != "signed":
            every_signed = False
            if state == "awaiting":
                awaiting = True
            elif m.waiting:
                waiting += (m.event or "",)
        end = m.end
        if end is not None and m.kind == "deadline":
            has_deadline = True
            if state != "signed":
                deadlines_signed = False
                if state == "open":
                    open_ms.append(
                        OpenMilestone(m.milestone_id, m.action, m.planned_end or end, end)
                    )
    if len(open_ms) > 1:
        open_ms.sort(key=_by_due)
    done = deadlines_signed if has_deadline else (every_signed and bool(milestones))
    # Sorted by due date: the first is the earliest.
    first_due = open_ms[0].due if open_ms else None
    return MilestoneShape(done, awaiting, first_due, tuple(open_ms), waiting)


def light_of(
    milestones: Sequence[MilestoneStatus],
    latest_status: str | None,
    latest_note: str | None,
    today: date,
    warn_days: int = WARN_DAYS,
    behind_pace: bool = False,
) -> tuple[Light, Reason | None, SignoffState | None]:
    """Return a (task, unit)'s light, its reason and its sign-off state (pure)."""
    shape = milestone_shape(milestones)
    return light_from(shape, latest_status, latest_note, today, warn_days, behind_pace)


def light_from(
    shape: MilestoneShape,
    latest_status: str | None,
    latest_note: str | None,
    today: date,
    warn_days: int = WARN_DAYS,
    behind_pace: bool = False,
) -> tuple[Light, Reason | None, SignoffState | None]:
    """Return the light, its reason and the sign-off state of a pair's milestones as of a
    day (the one rule of the lights, module docstring)."""
    if shape.done:
        return "done", None, "signed"
    signoff: SignoffState | None = "awaiting" if shape.awaiting else None
    first_due = shape.first_due
    if first_due is not None:
        if first_due < today:
            return "red", Reason("overdue", first_due), signoff
        if first_due <= today + timedelta(days=warn_days):
            return "yellow", Reason("due_soon", first_due), signoff
    if latest_status == "blocked":
        return "yellow", Reason("blocked", note=latest_note), signoff
    if behind_pace:
        return "yellow", Reason("behind_pace"), signoff
    if shape.awaiting:
        return "green", Reason("awaiting"), signoff
    return "green", None, signoff


# task row, task id, chapter, title, unit id, unit, role, entries, latest entry id
Pair = tuple[int, str, str, str, int, str, str, int, int | None]
# The latest entry's status, note, percent and time.
Latest = tuple[EntryStatus, str | None, int | None, datetime]


def by_pair(milestones: Iterable[MilestoneStatus]) -> dict[tuple[int, int], list[MilestoneStatus]]:
    """Return the milestones grouped by (task row, unit id), each group in the given order."""
    grouped: dict[tuple[int, int], list[MilestoneStatus]] = {}
    for m in milestones:
        grouped.setdefault((m.task_row, m.unit_id), []).append(m)
    return grouped


@dataclass(slots=True)
class StatusFacts:
    """What the status rows are computed from, read in one session as of one instant.

    Everything here stays true until the ledger changes, except what `prompted` adds: a
    simulation reads the facts once and keeps them current as it sends its prompts.
    """

    pairs: list[Pair]
    milestones: dict[tuple[int, int], list[MilestoneStatus]]
    latest: dict[int, tuple[EntryStatus, str | None, int | None, datetime]]
    # Per pair, the day of the first prompt sent after its latest report (未报 counts from it).
    unanswered: dict[tuple[int, int], date]
    paused: dict[str, list[pauses.PauseEvent]]
    progress: dict[tuple[int, int], tuple[TargetProgress, ...]]
    year: int | None
    _reported: dict[tuple[int, int], datetime] | None = field(default=None, repr=False)
    _shapes: dict[tuple[int, int], MilestoneShape] = field(default_factory=dict, repr=False)

    def shape(self, pair: tuple[int, int]) -> MilestoneShape:
        """Return what the pair's milestones say whatever the day (worked out once: a
        simulation reads the same facts for every weekly digest)."""
        found = self._shapes.get(pair)
        if found is None:
            found = self._shapes[pair] = milestone_shape(self.milestones.get(pair, ()))
        return found

    def prompted(self, pair: tuple[int, int], point_date: date) -> None:
        """Record a prompt about a pair sent now (it opens 未报 unless one is open already)."""
        if self._reported is None:
            self._reported = {
                (p[0], p[4]): self.latest[p[-1]][3] for p in self.pairs if p[-1] in self.latest
            }
        reported_at = self._reported.get(pair)
        if reported_at is not None and not prompted_after(point_date, reported_at):
            return
        held = self.unanswered.get(pair)
        if held is None or point_date < held:
            self.unanswered[pair] = point_date


def prompted_after(point_date: date, reported_at: datetime) -> bool:
    """Return whether a prompt's day comes after a report, as the query compares them: a
    date reads as its midnight (UTC, as stored), so a prompt on the report's day came first."""
    return point_date > reported_at.astimezone(UTC).date()


class PairGlance(NamedTuple):
    """A pair's status row at a glance: what counting it needs (the weekly digest's tallies
    read every pair this way, and the full row only of the pairs it lists)."""

    task_id: str
    unit: str
    light: Light
    status: str | None
    entries: int
    updated_at: datetime | None
    unreported: bool
    awaiting: bool
    next_due: date | None
    # Any progress reported against a target or the task; behind its pace (序时进度).
    progress: bool
    behind_pace: bool


def rows_of(
    facts: StatusFacts,
    as_of: datetime,
    tz: ZoneInfo = DEFAULT_TZ,
    rules: StatusRules | None = None,
) -> list[StatusRow]:
    """Return the status rows the facts give as of an instant (pure: lights, reasons, flags)."""
    return _judge(facts, as_of, tz, rules, None)[1]


def glances_of(
    facts: StatusFacts,
    as_of: datetime,
    tz: ZoneInfo,
    rules: StatusRules | None,
    full: Callable[[PairGlance], bool],
) -> tuple[list[PairGlance], list[StatusRow]]:
    """Return every pair at a glance, and the full status rows of the pairs `full` picks, in
    plan order (the same rules as `rows_of`; a full row costs several times a glance)."""
    return _judge(facts, as_of, tz, rules, full)


def _judge(
    facts: StatusFacts,
    as_of: datetime,
    tz: ZoneInfo,
    rules: StatusRules | None,
    full: Callable[[PairGlance], bool] | None,
) -> tuple[list[PairGlance], list[StatusRow]]:
    """Apply the rules to every pair: a glance of each when `full` is given (and a row where
    it says so), else a row of each."""
    rules = rules or StatusRules()
    today = as_of.astimezone(tz).date()
    year_start = date(facts.year or today.year, 1, 1)
    counting = rules.workdays if rules.pace_workdays else None
    # Each unit's paused periods, worked out once rather than once per row.
    paused = {unit: pauses.windows(events) for unit, events in facts.paused.items()}
    pause_now = {unit: pauses.pause_in(held, today) for unit, held in paused.items()}
    # Workdays of silence since a prompt, by (prompt day, unit): pairs share prompt days.
    silence: dict[tuple[date, str], int] = {}
    glances: list[PairGlance] = []
    rows: list[StatusRow] = []
    for task_row, task_id, chapter, title, u_id, unit_name, role, count, latest_id in facts.pairs:
        pair = (task_row, u_id)
        entry = facts.latest.get(latest_id) if latest_id is not None else None
        status, note = (entry[0], entry[1]) if entry else (None, None)
        updated_at = entry[3] if entry else None
        reported = facts.progress.get(pair, ())
        pace = (
            pace_of(
                facts.milestones.get(pair, []),
                reported,
                today,
                year_start,
                margin=rules.pace_margin,
                workdays_between=counting,
            )
            if reported
            else None
        )
        behind = pace is not None and pace.behind
        shape = facts.shape(pair)
        light, reason, signoff = light_from(shape, status, note, today, rules.warn_days, behind)
        open_ms = shape.open
        pause = pause_now.get(unit_name)
        flags: tuple[str, ...] = ()
        silent_days = None
        prompted = facts.unanswered.get(pair)
        if light != "done" and pause is None and prompted is not None:
            key = (prompted, unit_name)
            if key not in silence:
                held = paused.get(unit_name, ())
                silence[key] = _unpaused_workdays(rules, prompted, today, held)
            if silence[key] >= rules.unreported_workdays:
                flags = ("unreported",)
                since = updated_at.astimezone(tz).date() if updated_at else prompted
                silent_days = (today - since).days
        next_due = open_ms[0].due if open_ms else None
        if full is not None:
            glance = PairGlance(
                task_id,
                unit_name,
                light,
                status,
                count,
                updated_at,
                "unreported" in flags,
                signoff == "awaiting",
                next_due,
                bool(reported),
                behind,
            )
            glances.append(glance)
            if not full(glance):
                continue
        rows.append(
            StatusRow(
                task_row=task_row,
                task_id=task_id,
                unit=unit_name,
                title=title,
                role=role,
                light=light,
                status=status,
                note=note,
                percent=entry[2] if entry else None,
                updated_at=updated_at,
                next_due=next_due,
                entries=count,
                chapter=chapter,
                open_milestones=open_ms,
                reason=reason,
                flags=flags,
                silent_days=silent_days,
                paused=pause,
                signoff=signoff,
                progress=reported,
                pace=pace,
                waiting=shape.waiting,
            )
        )
    return glances, rows


def _by_due(milestone: OpenMilestone) -> date:
    return milestone.due


def _unpaused_workdays(
    rules: StatusRules, after: date, until: date, windows: Sequence[pauses.PauseWindow]
) -> int:
    """Return the workdays in (after, until] outside the unit's pauses (silence while paused
    is not silence)."""
    count = rules.workdays(after, until)
    for first, last, _ in windows:
        start, end = max(first - timedelta(days=1), after), min(last, until)
        if start < end:
            count -= rules.workdays(start, end)
    return count
