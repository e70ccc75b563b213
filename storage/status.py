"""The query layer: a status row per (task, unit) as of an instant, with its light.

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
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Integer,
    String,
    and_,
    bindparam,
    func,
    literal,
    or_,
    select,
    true,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage import pauses
from storage.database import AnySelect, Database, Together, plain_rows
from storage.milestones import (
    MilestoneReads,
    MilestoneStatus,
    RowId,
    milestone_statuses,
    owner_scope,
)
from storage.models import (
    EntryRow,
    OutboxItemRow,
    OutboxRow,
    PlanRow,
    ReadingRow,
    TargetRow,
    TaskOwnerRow,
    TaskRow,
    UnitRow,
    UtcDateTime,
)
from storage.pace import PACE_MARGIN, pace_of
from storage.plans import (
    labels_from,
    task_labels,
    task_labels_query,
    unit_names_by_row,
    unit_names_query,
)
from storage.progress import progress_of
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
    open_dues: list[date] = []
    waiting: list[str] = []
    for m in milestones:
        state = m.state
        if state != "signed":
            every_signed = False
        if state == "awaiting":
            awaiting = True
        if m.kind == "deadline" and m.end is not None:
            has_deadline = True
            if state != "signed":
                deadlines_signed = False
            if state == "open":
                open_dues.append(m.end)
                open_ms.append(
                    OpenMilestone(m.milestone_id, m.action, m.planned_end or m.end, m.end)
                )
        if m.waiting and state == "open":
            waiting.append(m.event or "")
    if len(open_ms) > 1:
        open_ms.sort(key=_by_due)
    done = deadlines_signed if has_deadline else (every_signed and bool(milestones))
    first_due = min(open_dues) if open_dues else None
    return MilestoneShape(done, awaiting, first_due, tuple(open_ms), tuple(waiting))


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
_Pair = tuple[int, str, str, str, int, str, str, int, int | None]
# The latest entry's status, note, percent and time.
_Latest = tuple[EntryStatus, str | None, int | None, datetime]


@dataclass(slots=True)
class StatusFacts:
    """What the status rows are computed from, read in one session as of one instant.

    Everything here stays true until the ledger changes, except what `prompted` adds: a
    simulation reads the facts once and keeps them current as it sends its prompts.
    """

    pairs: list[_Pair]
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


async def status_rows(
    session: AsyncSession,
    as_of: datetime,
    unit: str | None = None,
    tz: ZoneInfo = DEFAULT_TZ,
    *,
    count_entries: bool = True,
    rules: StatusRules | None = None,
    task_row: int | None = None,
) -> list[StatusRow]:
    """Return a row per current (task, unit) pair, in plan order, as of an instant (only
    the unit's, with `unit`; only the task's, with `task_row`).

    With count_entries=False a row's `entries` is 1 when the pair has any entry and 0
    otherwise (lights and the digest's categories are the same): counting every entry of
    a million-entry ledger is most of the query's time, and the web board's bureau page
    shows no per-row count.
    """
    rules = rules or StatusRules()
    facts = await read_status_facts(
        session,
        as_of,
        unit,
        count_entries=count_entries,
        signoff=rules.signoff,
        task_row=task_row,
    )
    return rows_of(facts, as_of, tz, rules)


async def read_rows(
    db: Database,
    as_of: datetime,
    unit: str | None = None,
    tz: ZoneInfo = DEFAULT_TZ,
    *,
    rules: StatusRules | None = None,
    task_row: int | None = None,
) -> list[StatusRow]:
    """Return what `status_rows` returns, in a read of its own: one unit's or one task's
    rows are one statement, run outside any transaction (`Database.read_alone`); the whole
    bureau's are several, in a read-only session."""
    rules = rules or StatusRules()
    if unit is None and task_row is None:
        async with db.session(readonly=True) as session:
            return await status_rows(session, as_of, None, tz, rules=rules)
    statement, params = _scoped(db.dialect, as_of, unit, task_row, True)
    facts = _scoped_facts(await statement.run_alone(db, params), True, rules.signoff)
    return rows_of(facts, as_of, tz, rules)


async def read_status_facts(
    session: AsyncSession,
    as_of: datetime,
    unit: str | None = None,
    *,
    count_entries: bool = True,
    signoff: bool = True,
    milestones: Sequence[MilestoneStatus] | None = None,
    task_row: int | None = None,
) -> StatusFacts:
    """Read what the status rows of every pair (or one unit's, or one task's) are computed
    from; `milestones`: every pair's milestone states as of the same instant, if already
    read (one unit's or one task's facts read their own, with the rest)."""
    if unit is not None or task_row is not None:  # one statement (`_scoped_read`)
        dialect = session.get_bind().dialect.name
        statement, params = _scoped(dialect, as_of, unit, task_row, count_entries)
        return _scoped_facts(await statement.run(session, params), count_entries, signoff)
    pairs, latest = await _pairs(session, as_of, unit, count_entries, task_row)
    if not pairs:
        return StatusFacts([], {}, {}, {}, {}, {}, None)
    unit_id = pairs[0][4] if unit is not None else None
    by_pair: dict[tuple[int, int], list[MilestoneStatus]] = {}
    if task_row is not None and milestones is None:  # one task: its few owners, a pair at a time
        for p in pairs:
            by_pair[(task_row, p[4])] = await milestone_statuses(
                session, as_of, signoff=signoff, pair=(task_row, p[4])
            )
    else:
        if milestones is None or unit_id is not None:
            milestones = await milestone_statuses(session, as_of, signoff=signoff, unit_id=unit_id)
        for m in milestones:
            by_pair.setdefault(m.pair, []).append(m)
    return StatusFacts(
        pairs=pairs,
        milestones=by_pair,
        latest=latest,
        unanswered=await _first_unanswered_prompts(session, as_of, unit_id),
        paused=await pauses.events(session, as_of, unit),
        progress=await latest_progress(session, as_of, unit_id),
        year=await session.scalar(select(PlanRow.year).order_by(PlanRow.id).limit(1)),
    )


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
        mine = facts.milestones.get((task_row, u_id), [])
        entry = facts.latest.get(latest_id) if latest_id is not None else None
        status, note = (entry[0], entry[1]) if entry else (None, None)
        updated_at = entry[3] if entry else None
        reported = facts.progress.get((task_row, u_id), ())
        pace = (
            pace_of(
                mine,
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
        shape = facts.shape((task_row, u_id))
        light, reason, signoff = light_from(shape, status, note, today, rules.warn_days, behind)
        open_ms = shape.open
        pause = pause_now.get(unit_name)
        flags: tuple[str, ...] = ()
        silent_days = None
        prompted = facts.unanswered.get((task_row, u_id))
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


async def latest_progress(
    session: AsyncSession, as_of: datetime, unit_id: int | None = None
) -> dict[tuple[int, int], tuple[TargetProgress, ...]]:
    """Return, per (task row, unit id), the latest reading of each current target (in the
    targets' order) and of the whole task (last), as of an instant."""
    return _progress_from(await session.execute(_progress_query(as_of, None, unit_id)))


def _progress_query(
    as_of: datetime | ColumnElement[datetime], task_row: RowId | None, unit_id: RowId | None
) -> AnySelect:
    """Select the readings `latest_progress` reads (every pair's, or a task's or a unit's),
    each with when it was made."""
    query = (
        select(
            ReadingRow.task_id,
            ReadingRow.unit_id,
            ReadingRow.target_id,
            TargetRow.what,
            TargetRow.unit,
            TargetRow.value,
            ReadingRow.value,
            ReadingRow.share,
            ReadingRow.text,
            TargetRow.position,
            ReadingRow.created_at,
            ReadingRow.id,
        )
        .outerjoin(TargetRow, TargetRow.id == ReadingRow.target_id)
        .where(
            ReadingRow.created_at <= as_of,
            or_(ReadingRow.target_id.is_(None), TargetRow.archived_at.is_(None)),
        )
        .order_by(ReadingRow.created_at, ReadingRow.id)
    )
    if task_row is not None:
        query = query.where(ReadingRow.task_id == task_row)
    if unit_id is not None:
        query = query.where(ReadingRow.unit_id == unit_id)
    return query


def _progress_from(
    rows: Iterable[Sequence[Any]],
) -> dict[tuple[int, int], tuple[TargetProgress, ...]]:
    """Return the latest reading per pair and target from `_progress_query`'s rows (in any
    order: the latest is the one made last)."""
    latest: dict[tuple[int, int], dict[int | None, tuple[int, TargetProgress]]] = {}
    made: dict[tuple[int, int, int | None], tuple[datetime, int]] = {}
    for (
        task_row,
        u_id,
        target_id,
        what,
        unit,
        goal,
        value,
        share,
        text,
        place,
        at,
        reading_id,
    ) in rows:
        key = (task_row, u_id, target_id)
        if key in made and made[key] > (at, reading_id):
            continue
        made[key] = (at, reading_id)
        found = progress_of(target_id, what, unit, goal, value, share, text)
        order = place if place is not None else 1 << 30
        latest.setdefault((task_row, u_id), {})[target_id] = (order, found)
    return {
        pair: tuple(p for _, p in sorted(by_target.values(), key=lambda item: item[0]))
        for pair, by_target in latest.items()
    }


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


async def _pairs(
    session: AsyncSession,
    as_of: datetime,
    unit: str | None,
    count_entries: bool = True,
    task_row: int | None = None,
) -> tuple[list[_Pair], dict[int, _Latest]]:
    """Return every current pair as of an instant, in plan order, and by id the latest
    entry of each pair that has one."""
    owners: list[ColumnElement[bool]] = []
    if unit is not None:
        owners.append(UnitRow.name == unit)
    if task_row is not None:
        owners.append(TaskOwnerRow.task_id == task_row)
    dialect = session.get_bind().dialect.name
    query = _pairs_query(dialect, as_of, owners, count_entries)
    # Task and unit words come once per task and unit, not decoded again on every row.
    labels = await task_labels(session, *owners)
    names = await unit_names_by_row(session)
    return _pairs_from(await plain_rows(session, query), labels, names, count_entries)


def _pairs_query(
    dialect: str,
    as_of: datetime | ColumnElement[datetime],
    owners: Sequence[ColumnElement[bool]],
    count_entries: bool = True,
) -> AnySelect:
    """Select every current pair whose owner row matches `owners` (conditions on
    task_owners and units), with its entry count, its latest entry and its place in the plan.

    The latest entry is one index probe per pair (ix_entries_unit_task_time, newest first),
    joined in the same statement: no second query by id. PostgreSQL takes the entry's
    columns in that probe (a LATERAL join); SQLite, which has none, joins the entry by the
    id the probe found.
    """
    scope = and_(
        EntryRow.unit_id == TaskOwnerRow.unit_id,
        EntryRow.task_id == TaskOwnerRow.task_id,
        EntryRow.created_at <= as_of,
    )
    count = (
        select(func.count()).where(scope).correlate(TaskOwnerRow).scalar_subquery()
        if count_entries
        else literal(0)
    )
    newest_first = (EntryRow.created_at.desc(), EntryRow.id.desc())
    if dialect == "postgresql":
        newest = (
            select(
                EntryRow.id, EntryRow.status, EntryRow.note, EntryRow.percent, EntryRow.created_at
            )
            .where(scope)
            .order_by(*newest_first)
            .limit(1)
            .correlate(TaskOwnerRow)
            .lateral("latest")
        )
        target: FromClause | type[EntryRow] = newest
        entry: Any = newest.c
        joined: ColumnElement[bool] = true()
    else:
        latest_id = (
            select(EntryRow.id)
            .where(scope)
            .order_by(*newest_first)
            .limit(1)
            .correlate(TaskOwnerRow)
            .scalar_subquery()
        )
        by_id = aliased(EntryRow, name="latest")
        target, entry, joined = by_id, by_id, by_id.id == latest_id
    return (
        select(
            TaskRow.id,
            UnitRow.id,
            TaskOwnerRow.role,
            count,
            entry.id,
            entry.status,
            entry.note,
            entry.percent,
            entry.created_at,
            TaskRow.position,
            TaskOwnerRow.position,
        )
        .select_from(TaskOwnerRow)
        .join(TaskRow, TaskRow.id == TaskOwnerRow.task_id)
        .join(UnitRow, UnitRow.id == TaskOwnerRow.unit_id)
        .outerjoin(target, joined)
        .where(TaskRow.archived_at.is_(None), *owners)
        .order_by(TaskRow.position, TaskOwnerRow.position)
    )


def _pairs_from(
    rows: Iterable[Sequence[Any]],
    labels: Mapping[int, tuple[str, str, str]],
    names: Mapping[int, str],
    count_entries: bool,
) -> tuple[list[_Pair], dict[int, _Latest]]:
    """Return the pairs `_pairs_query` selected in plan order (rows in any order), and by id
    the latest entry of each pair that has one."""
    pairs: list[_Pair] = []
    latest: dict[int, _Latest] = {}
    for t, u, role, counted, entry_id, status, note, percent, at, *_ in sorted(
        rows, key=_in_plan_order
    ):
        code, chapter, title = labels[t]
        entries = int(counted or 0) if count_entries else int(entry_id is not None)
        pairs.append((t, code, chapter, title, u, names[u], role, entries, entry_id))
        if entry_id is not None:
            latest[entry_id] = (status, note, percent, at)
    return pairs, latest


def _in_plan_order(row: Sequence[Any]) -> tuple[int, int]:
    """Return a pair row's place: its task's, and its owner's among the task's owners."""
    return (row[-2], row[-1])


async def _first_unanswered_prompts(
    session: AsyncSession, as_of: datetime, unit_id: int | None
) -> dict[tuple[int, int], date]:
    """Return, per pair, the day of the first prompt sent after its latest report."""
    return _unanswered_from(await session.execute(_unanswered_query(as_of, None, unit_id)))


def _unanswered_query(
    as_of: datetime | ColumnElement[datetime], task_row: RowId | None, unit_id: RowId | None
) -> AnySelect:
    """Select, per pair (every pair, or a task's or a unit's), the day of the first prompt
    sent after its latest report."""
    reported = (
        select(func.max(EntryRow.created_at))
        .where(
            EntryRow.task_id == OutboxItemRow.task_id,
            EntryRow.unit_id == OutboxItemRow.unit_id,
            EntryRow.created_at <= as_of,
        )
        .correlate(OutboxItemRow)
        .scalar_subquery()
    )
    query = (
        select(OutboxItemRow.task_id, OutboxItemRow.unit_id, func.min(OutboxItemRow.point_date))
        .join(OutboxRow, OutboxRow.id == OutboxItemRow.outbox_id)
        .where(
            OutboxRow.kind == "prompt",
            OutboxRow.sent_at.is_not(None),
            OutboxRow.sent_at <= as_of,
            OutboxItemRow.point_date.is_not(None),
            # A prompt dated after the latest report's instant (a date compares as its
            # midnight): prompts go at the send time, so one on the report's day came first.
            or_(reported.is_(None), OutboxItemRow.point_date > reported),
        )
        .group_by(OutboxItemRow.task_id, OutboxItemRow.unit_id)
    )
    if task_row is not None:
        query = query.where(OutboxItemRow.task_id == task_row)
    if unit_id is not None:
        query = query.where(OutboxItemRow.unit_id == unit_id)
    return query


def _unanswered_from(rows: Iterable[Sequence[Any]]) -> dict[tuple[int, int], date]:
    return {(t, u): d for t, u, d in rows if d is not None}


@cache
def _scoped_read(dialect: str, by_unit: bool, by_task: bool, count_entries: bool) -> Together:
    """Return the one statement that reads one unit's, one task's or one pair's facts: its
    pairs, milestones, prompts, pauses and readings with the plan's words for them (built
    once per dialect and scope, run with the instant, the unit's name and the task's row)."""
    as_of = bindparam("as_of", type_=UtcDateTime())
    unit = bindparam("unit", type_=String()) if by_unit else None
    task_row = bindparam("task_row", type_=Integer()) if by_task else None
    unit_id = (
        select(UnitRow.id).where(UnitRow.name == unit).scalar_subquery()
        if unit is not None
        else None
    )
    owners = owner_scope(task_row, unit_id)
    milestones = MilestoneReads.of(as_of, task_row=task_row, unit_id=unit_id)
    year = select(PlanRow.year).order_by(PlanRow.id).limit(1).scalar_subquery()
    return Together(
        _pairs_query(dialect, as_of, owners, count_entries),
        *milestones.queries,
        _unanswered_query(as_of, task_row, unit_id),
        pauses.events_query(as_of, unit),
        _progress_query(as_of, task_row, unit_id),
        task_labels_query(*owners),
        unit_names_query(),
        select(year),
    )


def _scoped(
    dialect: str, as_of: datetime, unit: str | None, task_row: int | None, count_entries: bool
) -> tuple[Together, dict[str, object]]:
    """Return the statement that reads one unit's, one task's or one pair's facts, and the
    values to run it with."""
    statement = _scoped_read(dialect, unit is not None, task_row is not None, count_entries)
    params: dict[str, object] = {"as_of": as_of}
    if unit is not None:
        params["unit"] = unit
    if task_row is not None:
        params["task_row"] = task_row
    return statement, params


def _scoped_facts(
    found: Sequence[list[tuple[Any, ...]]], count_entries: bool, signoff: bool
) -> StatusFacts:
    """Return the status facts `_scoped_read`'s parts give."""
    (
        pair_rows,
        done,
        steps,
        moves,
        events,
        milestone_rows,
        unanswered,
        pause_rows,
        readings,
        label_rows,
        name_rows,
        year_rows,
    ) = found
    labels = labels_from(label_rows)
    names: dict[int, str] = dict(name_rows)
    pairs, latest = _pairs_from(pair_rows, labels, names, count_entries)
    if not pairs:
        return StatusFacts([], {}, {}, {}, {}, {}, None)
    by_pair: dict[tuple[int, int], list[MilestoneStatus]] = {}
    for m in MilestoneReads.statuses(
        done, steps, moves, events, milestone_rows, labels=labels, names=names, signoff=signoff
    ):
        by_pair.setdefault(m.pair, []).append(m)
    return StatusFacts(
        pairs=pairs,
        milestones=by_pair,
        latest=latest,
        unanswered=_unanswered_from(unanswered),
        paused=pauses.events_from(pause_rows),
        progress=_progress_from(readings),
        year=year_rows[0][0] if year_rows else None,
    )
