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

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, FromClause, and_, func, literal, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage import pauses
from storage.database import plain_rows
from storage.milestones import MilestoneStatus, milestone_statuses
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
)
from storage.pace import PACE_MARGIN, pace_of
from storage.plans import task_labels, unit_names_by_row
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


def light_of(
    milestones: Sequence[MilestoneStatus],
    latest_status: str | None,
    latest_note: str | None,
    today: date,
    warn_days: int = WARN_DAYS,
    behind_pace: bool = False,
) -> tuple[Light, Reason | None, SignoffState | None]:
    """Return a (task, unit)'s light, its reason and its sign-off state (pure)."""
    # One pass (a page weighs thousands of rows): whether every deadline (or, with none,
    # every milestone) is signed off, whether one awaits sign-off, the earliest open due.
    any_deadline = False
    deadlines_signed = all_signed = True
    awaiting = False
    first_due: date | None = None
    for m in milestones:
        state = m.state
        if state != "signed":
            all_signed = False
            awaiting = awaiting or state == "awaiting"
        if m.kind == "deadline" and m.end is not None:
            any_deadline = True
            if state != "signed":
                deadlines_signed = False
            if state == "open" and (first_due is None or m.end < first_due):
                first_due = m.end
    if deadlines_signed if any_deadline else (milestones and all_signed):
        return "done", None, "signed"
    signoff: SignoffState | None = "awaiting" if awaiting else None
    # The earliest open due date decides: overdue if it has passed, due soon if it is near.
    if first_due is not None and first_due < today:
        return "red", Reason("overdue", first_due), signoff
    if first_due is not None and first_due <= today + timedelta(days=warn_days):
        return "yellow", Reason("due_soon", first_due), signoff
    if latest_status == "blocked":
        return "yellow", Reason("blocked", note=latest_note), signoff
    if behind_pace:
        return "yellow", Reason("behind_pace"), signoff
    if awaiting:
        return "green", Reason("awaiting"), signoff
    return "green", None, signoff


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
    pairs = await _pairs(session, as_of, unit, count_entries, task_row)
    if not pairs:
        return []
    unit_id = pairs[0][4] if unit is not None else None
    by_pair: dict[tuple[int, int], list[MilestoneStatus]] = {}
    if task_row is not None:  # one task: its few owners, a pair at a time
        for p in pairs:
            by_pair[(task_row, p[4])] = await milestone_statuses(
                session, as_of, signoff=rules.signoff, pair=(task_row, p[4])
            )
    else:
        for m in await milestone_statuses(session, as_of, signoff=rules.signoff, unit_id=unit_id):
            by_pair.setdefault(m.pair, []).append(m)
    unanswered = await _first_unanswered_prompts(session, as_of, unit_id)
    paused = await pauses.events(session, as_of, unit)
    today = as_of.astimezone(tz).date()
    progress = await latest_progress(session, as_of, unit_id)
    year = await session.scalar(select(PlanRow.year).order_by(PlanRow.id).limit(1))
    year_start = date(year or today.year, 1, 1)
    counting = rules.workdays if rules.pace_workdays else None
    # A unit's pause is the same for each of its rows: found once per unit.
    pause_of = {name: pauses.pause_on(events, today) for name, events in paused.items()}
    no_milestones: list[MilestoneStatus] = []
    rows = []
    warn_days = rules.warn_days
    for (
        task_row,
        task_id,
        chapter,
        title,
        u_id,
        unit_name,
        role,
        count,
        status,
        note,
        percent,
        updated_at,
    ) in pairs:
        mine = by_pair.get((task_row, u_id), no_milestones)
        reported = progress.get((task_row, u_id), ())
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
            else None  # nothing reported: no pace (pace_of's own first answer)
        )
        behind = pace is not None and pace.behind
        light, reason, signoff = light_of(mine, status, note, today, warn_days, behind)
        open_ms = [
            OpenMilestone(m.milestone_id, m.action, m.planned_end or m.end, m.end)
            for m in mine
            if m.kind == "deadline" and m.end is not None and m.state == "open"
        ]
        if len(open_ms) > 1:
            open_ms.sort(key=_due)
        pause = pause_of.get(unit_name)
        flags: tuple[str, ...] = ()
        silent_days = None
        prompted = unanswered.get((task_row, u_id))
        if (
            light != "done"
            and pause is None
            and prompted is not None
            and _unpaused_workdays(rules, prompted, today, paused.get(unit_name, ()))
            >= rules.unreported_workdays
        ):
            flags = ("unreported",)
            since = updated_at.astimezone(tz).date() if updated_at else prompted
            silent_days = (today - since).days
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
                percent=percent,
                updated_at=updated_at,
                next_due=open_ms[0].due if open_ms else None,
                entries=count,
                chapter=chapter,
                open_milestones=tuple(open_ms),
                reason=reason,
                flags=flags,
                silent_days=silent_days,
                paused=pause,
                signoff=signoff,
                progress=reported,
                pace=pace,
                waiting=tuple([m.event or "" for m in mine if m.waiting and m.state == "open"]),
            )
        )
    return rows


def _due(milestone: OpenMilestone) -> date:
    return milestone.due


async def latest_progress(
    session: AsyncSession, as_of: datetime, unit_id: int | None = None
) -> dict[tuple[int, int], tuple[TargetProgress, ...]]:
    """Return, per (task row, unit id), the latest reading of each current target (in the
    targets' order) and of the whole task (last), as of an instant."""
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
        )
        .outerjoin(TargetRow, TargetRow.id == ReadingRow.target_id)
        .where(
            ReadingRow.created_at <= as_of,
            or_(ReadingRow.target_id.is_(None), TargetRow.archived_at.is_(None)),
        )
        .order_by(ReadingRow.created_at, ReadingRow.id)
    )
    if unit_id is not None:
        query = query.where(ReadingRow.unit_id == unit_id)
    latest: dict[tuple[int, int], dict[int | None, tuple[int, TargetProgress]]] = {}
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
    ) in await session.execute(query):
        found = progress_of(target_id, what, unit, goal, value, share, text)
        order = place if place is not None else 1 << 30
        latest.setdefault((task_row, u_id), {})[target_id] = (order, found)
    return {
        pair: tuple(p for _, p in sorted(by_target.values(), key=lambda item: item[0]))
        for pair, by_target in latest.items()
    }


def _unpaused_workdays(
    rules: StatusRules, after: date, until: date, events: Sequence[pauses.PauseEvent]
) -> int:
    """Return the workdays in (after, until] outside the unit's pauses (silence while paused
    is not silence)."""
    count = rules.workdays(after, until)
    for first, last, _ in pauses.windows(events) if events else ():
        start, end = max(first - timedelta(days=1), after), min(last, until)
        if start < end:
            count -= rules.workdays(start, end)
    return count


# (task row, task id, chapter, title, unit id, unit, role, entries, and the latest entry's
# status, note, percent and time: None when the pair has no entry).
_Pair = tuple[
    int,
    str,
    str,
    str,
    int,
    str,
    str,
    int,
    EntryStatus | None,
    str | None,
    int | None,
    datetime | None,
]


async def _pairs(
    session: AsyncSession,
    as_of: datetime,
    unit: str | None,
    count_entries: bool = True,
    task_row: int | None = None,
) -> list[_Pair]:
    """Return every current pair with its latest entry as of an instant, in plan order.

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
    if session.get_bind().dialect.name == "postgresql":
        latest = (
            select(
                EntryRow.id, EntryRow.status, EntryRow.note, EntryRow.percent, EntryRow.created_at
            )
            .where(scope)
            .order_by(*newest_first)
            .limit(1)
            .correlate(TaskOwnerRow)
            .lateral("latest")
        )
        target: FromClause | type[EntryRow] = latest
        entry: Any = latest.c
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
    query = (
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
        )
        .select_from(TaskOwnerRow)
        .join(TaskRow, TaskRow.id == TaskOwnerRow.task_id)
        .join(UnitRow, UnitRow.id == TaskOwnerRow.unit_id)
        .outerjoin(target, joined)
        .where(TaskRow.archived_at.is_(None))
        .order_by(TaskRow.position, TaskOwnerRow.position)
    )
    owners: list[ColumnElement[bool]] = []
    if unit is not None:
        owners.append(UnitRow.name == unit)
    if task_row is not None:
        owners.append(TaskOwnerRow.task_id == task_row)
    # Task and unit words come once per task and unit, not decoded again on every row.
    labels = await task_labels(session, *owners)
    names = await unit_names_by_row(session)
    result = await plain_rows(session, query.where(*owners))
    return [
        (
            t,
            *labels[t],
            u,
            names[u],
            role,
            int(count or 0) if count_entries else int(entry_id is not None),
            status,
            note,
            percent,
            at,
        )
        for t, u, role, count, entry_id, status, note, percent, at in result
    ]


async def _first_unanswered_prompts(
    session: AsyncSession, as_of: datetime, unit_id: int | None
) -> dict[tuple[int, int], date]:
    """Return, per pair, the day of the first prompt sent after its latest report."""
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
    if unit_id is not None:
        query = query.where(OutboxItemRow.unit_id == unit_id)
    return {(t, u): d for t, u, d in await session.execute(query) if d is not None}
