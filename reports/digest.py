"""The weekly digest: every (task, unit) row counted once, plus what leadership must act on."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import chinese_calendar

from reports.model import (
    CATEGORIES,
    BlockedItem,
    Category,
    Counts,
    Digest,
    DoneItem,
    DueItem,
    ExtensionItem,
    ReportRow,
    UnitLine,
)
from reports.render import render_digest
from reports.source import read_digest_input
from storage.database import Database
from storage.status import StatusRules
from storage.timeliness import UnitTimeliness
from vocabulary import DEFAULT_TZ

__all__ = [
    "build_digest",
    "compute_digest",
    "digest_instant",
    "digest_json",
    "render_digest",
    "week_first_workday",
]

DUE_SOON_DAYS = 14
SILENT_DAYS = 14
DIGEST_HOUR = time(9, 0)


def official_workday(day: date) -> bool:
    """Return True if day is a workday on the official calendar (Mon-Fri outside its range)."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        # The calendar package only knows published years; weekdays are the honest guess.
        return day.weekday() < 5


def week_first_workday(day: date, is_workday: Callable[[date], bool] = official_workday) -> date:
    """Return the first workday of day's ISO week (its Monday if the week has none)."""
    monday = day - timedelta(days=day.weekday())
    for offset in range(7):
        candidate = monday + timedelta(days=offset)
        if is_workday(candidate):
            return candidate
    return monday


def digest_instant(
    day: date,
    tz: ZoneInfo = DEFAULT_TZ,
    is_workday: Callable[[date], bool] = official_workday,
) -> datetime:
    """Return 09:00 on the first workday of day's week: the instant a digest is as of."""
    return datetime.combine(week_first_workday(day, is_workday), DIGEST_HOUR, tzinfo=tz)


def iso_week(day: date) -> str:
    """Return the ISO week label, e.g. 2022-W27."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def classify(row: ReportRow) -> Category:
    """Return the first of done, overdue, blocked, in_progress, not_started that applies."""
    if row.light == "done":
        return "done"
    if row.light == "red":
        return "overdue"
    if row.status == "blocked":
        return "blocked"
    if row.entries > 0:
        return "in_progress"
    return "not_started"


def count(categories: Iterable[Category]) -> Counts:
    """Return the counts of a sequence of row categories."""
    tally = dict.fromkeys(CATEGORIES, 0)
    total = 0
    for category in categories:
        tally[category] += 1
        total += 1
    return Counts(rows=total, **tally)


def _overdue_items(row: ReportRow, today: date) -> list[DueItem]:
    # Overdue outranks blocked in the counts; keep the unit's plea visible on the line.
    plea = (row.note or "") if row.status == "blocked" else None
    items = [
        DueItem(row.task, row.unit, row.title, m.due, m.action, plea)
        for m in row.open_milestones
        if m.due is not None and m.due < today
    ]
    if not items and row.next_due is not None:
        # The light is red but no open milestone says why: show the date the query gave.
        items.append(DueItem(row.task, row.unit, row.title, row.next_due, None, plea))
    return items


def _due_soon_items(row: ReportRow, today: date, horizon: date) -> list[DueItem]:
    return [
        DueItem(row.task, row.unit, row.title, m.due, m.action, light=row.light)
        for m in row.open_milestones
        if m.due is not None and today <= m.due <= horizon
    ]


def compute_digest(
    rows: Sequence[ReportRow],
    extensions: Sequence[ExtensionItem],
    as_of: datetime,
    units: Sequence[str] = (),
    tz: ZoneInfo = DEFAULT_TZ,
    timeliness: Sequence[UnitTimeliness] = (),
) -> Digest:
    """Build the digest from rows already read as of as_of (later entries must be excluded)."""
    if as_of.tzinfo is None:
        raise ValueError("as_of must be timezone-aware")
    local = as_of.astimezone(tz)
    today = local.date()
    week_ago = as_of - timedelta(days=7)
    horizon = today + timedelta(days=DUE_SOON_DAYS)
    # Silent: something left to do, and no report at all in the last 14 days.
    silent_since = as_of - timedelta(days=SILENT_DAYS)
    # One pass over the rows (a plan 100 times the seed has thousands): each row's category,
    # the lists leadership acts on, and each unit's tallies.
    lines = {u: _UnitTally() for u in units}
    categories: dict[tuple[str, str], Category] = {}
    overdue: list[DueItem] = []
    due_soon: list[DueItem] = []
    blocked: list[BlockedItem] = []
    done: list[DoneItem] = []
    unreported: list[ReportRow] = []
    progress: list[ReportRow] = []
    behind_pace: list[ReportRow] = []
    awaiting = 0
    for row in rows:
        category = categories[(row.task, row.unit)] = classify(row)
        tally = lines.get(row.unit)
        if tally is None:
            tally = lines[row.unit] = _UnitTally()
        tally.add(row, category, silent_since)
        if category == "overdue":
            overdue.extend(_overdue_items(row, today))
        elif category == "done":
            if row.updated_at is not None and week_ago < row.updated_at <= as_of:
                done.append(DoneItem(row.task, row.unit, row.title, row.updated_at))
        else:
            due_soon.extend(_due_soon_items(row, today, horizon))
            if category == "blocked":
                blocked.append(
                    BlockedItem(row.task, row.unit, row.title, row.note, row.updated_at)
                )
        if row.unreported:
            unreported.append(row)
        awaiting += row.awaiting
        if row.progress and row.light != "done":
            progress.append(row)
        # Overdue rows are listed as such; the others behind their pace are listed here.
        if row.behind_pace and row.light in ("yellow", "green"):
            behind_pace.append(row)
    timely = {t.unit: t for t in timeliness}
    unit_lines = tuple(
        UnitLine(
            unit,
            tally.counts(),
            unreported=tally.unreported,
            awaiting=tally.awaiting,
            on_time=timely[unit].on_time if unit in timely else 0,
            late=timely[unit].late if unit in timely else 0,
            not_reported=timely[unit].not_reported if unit in timely else 0,
        )
        for unit, tally in lines.items()
        if tally.rows
    )
    silent = tuple(unit for unit, tally in lines.items() if tally.open and tally.quiet)
    return Digest(
        week=iso_week(today),
        as_of=as_of,
        totals=count(categories.values()),
        units=unit_lines,
        overdue=tuple(sorted(overdue, key=lambda i: (i.due, i.task, i.unit))),
        due_soon=tuple(sorted(due_soon, key=lambda i: (i.due, i.task, i.unit))),
        blocked=tuple(blocked),
        extensions=tuple(sorted(extensions, key=lambda e: (e.date, e.task, e.unit))),
        silent_units=silent,
        done_this_week=tuple(sorted(done, key=lambda d: d.at)),
        categories=categories,
        tz=tz,
        unreported=tuple(unreported),
        awaiting=awaiting,
        progress=tuple(progress),
        behind_pace=tuple(behind_pace),
    )


class _UnitTally:
    """One unit's rows as the digest counts them, gathered in the one pass over the rows."""

    __slots__ = ("awaiting", "by_category", "open", "quiet", "rows", "unreported")

    def __init__(self) -> None:
        self.by_category = dict.fromkeys(CATEGORIES, 0)
        self.rows = self.unreported = self.awaiting = 0
        # Something left to do; no report at all since the silence threshold.
        self.open = False
        self.quiet = True

    def add(self, row: ReportRow, category: Category, silent_since: datetime) -> None:
        """Count one row."""
        self.rows += 1
        self.by_category[category] += 1
        self.unreported += row.unreported
        self.awaiting += row.awaiting
        self.open = self.open or category != "done"
        if row.updated_at is not None and row.updated_at > silent_since:
            self.quiet = False

    def counts(self) -> Counts:
        """Return the unit's counts."""
        return Counts(rows=self.rows, **self.by_category)


async def build_digest(
    db: Database, as_of: datetime, tz: ZoneInfo = DEFAULT_TZ, rules: StatusRules | None = None
) -> Digest:
    """Read the ledger as of as_of (usually digest_instant(...)) and build the digest."""
    async with db.session() as session:
        source = await read_digest_input(session, as_of, rules=rules, tz=tz)
    return compute_digest(
        source.rows, source.extensions, as_of, source.units, tz, source.timeliness or ()
    )


def _counts_json(counts: Counts) -> dict[str, int]:
    return {"rows": counts.rows, **{c: counts.of(c) for c in CATEGORIES}}


def _due_json(item: DueItem) -> dict[str, Any]:
    return {
        "task": item.task,
        "unit": item.unit,
        "due": item.due.isoformat(),
        "action": item.action,
    }


def digest_json(digest: Digest) -> dict[str, Any]:
    """Return the digest in DESIGN's JSON shape."""
    return {
        "week": digest.week,
        "as_of": digest.as_of.isoformat(),
        "totals": _counts_json(digest.totals),
        "units": [
            {
                "unit": u.unit,
                **_counts_json(u.counts),
                "unreported": u.unreported,
                "awaiting": u.awaiting,
                "timeliness": {
                    "on_time": u.on_time,
                    "late": u.late,
                    "not_reported": u.not_reported,
                },
            }
            for u in digest.units
        ],
        "overdue": [_due_json(i) for i in digest.overdue],
        "due_soon": [_due_json(i) for i in digest.due_soon],
        "blocked": [{"task": b.task, "unit": b.unit, "note": b.note} for b in digest.blocked],
        "extensions": [
            {"task": e.task, "unit": e.unit, "date": e.date.isoformat(), "state": e.state}
            for e in digest.extensions
        ],
        "silent_units": list(digest.silent_units),
        "done_this_week": [
            {"task": d.task, "unit": d.unit, "date": d.at.astimezone(digest.tz).date().isoformat()}
            for d in digest.done_this_week
        ],
        "unreported": [
            {"task": r.task, "unit": r.unit, "silent_days": r.silent_days}
            for r in digest.unreported
        ],
        "awaiting": digest.awaiting,
        "progress": [_progress_json(r) for r in digest.progress],
        "behind_pace": [_progress_json(r) for r in digest.behind_pace],
    }


def _progress_json(row: ReportRow) -> dict[str, Any]:
    return {
        "task": row.task,
        "unit": row.unit,
        "progress": row.progress,
        "pace": round(row.pace, 4) if row.pace is not None else None,
        "behind": row.behind_pace,
    }
