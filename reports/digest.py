"""The weekly digest: every (task, unit) row counted once, plus what leadership must act on."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import chinese_calendar

from reports.facts import DigestFacts, to_report_row
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
from storage.status import PairGlance, StatusRules, glances_of
from storage.timeliness import UnitTimeliness, facts_timeliness, unit_timeliness
from vocabulary import DEFAULT_TZ

__all__ = [
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


def classify(row: ReportRow | PairGlance) -> Category:
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
    glances = [_glance(r) for r in rows]
    return _digest(glances, rows, extensions, _Week.of(as_of, tz), units, timeliness)


def digest_from_facts(
    facts: DigestFacts, as_of: datetime, *, rules: StatusRules | None = None, tz: ZoneInfo
) -> Digest:
    """Build the digest as of an instant from facts read then or earlier (pure).

    Every pair is counted at a glance; the full row is made only of the pairs the digest may
    list (a plan 100 times the seed has 6,600 pairs, and a week lists a few hundred).
    """
    week = _Week.of(as_of, tz)
    glances, status = glances_of(facts.status, as_of, tz, rules, week.may_list)
    rows = [to_report_row(r, None) for r in status]
    timely = unit_timeliness(facts_timeliness(facts.status, week.today, tz), facts.units)
    return _digest(glances, rows, facts.extensions, week, facts.units, timely)


@dataclass(frozen=True, slots=True)
class _Week:
    """The instants and days a digest as of an instant counts from."""

    as_of: datetime
    tz: ZoneInfo
    today: date
    week_ago: datetime
    # Due soon: by this day. Silent: no report at all since this instant.
    horizon: date
    silent_since: datetime

    @classmethod
    def of(cls, as_of: datetime, tz: ZoneInfo) -> _Week:
        if as_of.tzinfo is None:
            raise ValueError("as_of must be timezone-aware")
        today = as_of.astimezone(tz).date()
        return cls(
            as_of,
            tz,
            today,
            as_of - timedelta(days=7),
            today + timedelta(days=DUE_SOON_DAYS),
            as_of - timedelta(days=SILENT_DAYS),
        )

    def done_this_week(self, updated_at: datetime | None) -> bool:
        """Return whether a done row's latest report falls in the week before."""
        return updated_at is not None and self.week_ago < updated_at <= self.as_of

    def may_list(self, pair: PairGlance) -> bool:
        """Return whether a pair can show in one of the digest's lists (overdue, blocked, due
        soon, done this week, 未报, progress, behind its pace): only these need a full row. A
        pair not overdue has no open milestone due before today, so its earliest due date
        says whether any is due soon."""
        category = classify(pair)
        if category in ("overdue", "blocked"):
            return True
        if pair.unreported or pair.progress or pair.behind_pace:
            return True
        if category == "done":
            return self.done_this_week(pair.updated_at)
        return pair.next_due is not None and pair.next_due <= self.horizon


def _glance(row: ReportRow) -> PairGlance:
    return PairGlance(
        row.task,
        row.unit,
        row.light,
        row.status,
        row.entries,
        row.updated_at,
        row.unreported,
        row.awaiting,
        row.next_due,
        bool(row.progress),
        row.behind_pace,
    )


def _digest(
    glances: Sequence[PairGlance],
    rows: Sequence[ReportRow],
    extensions: Sequence[ExtensionItem],
    week: _Week,
    units: Sequence[str],
    timeliness: Sequence[UnitTimeliness],
) -> Digest:
    """Count every pair, and list from the rows (every row that may be listed, in plan
    order)."""
    today = week.today
    lines = {u: _UnitTally() for u in units}
    categories: dict[tuple[str, str], Category] = {}
    awaiting = 0
    for pair in glances:
        category = categories[(pair.task_id, pair.unit)] = classify(pair)
        tally = lines.get(pair.unit)
        if tally is None:
            tally = lines[pair.unit] = _UnitTally()
        tally.add(pair, category, week.silent_since)
        awaiting += pair.awaiting
    overdue: list[DueItem] = []
    due_soon: list[DueItem] = []
    blocked: list[BlockedItem] = []
    done: list[DoneItem] = []
    unreported: list[ReportRow] = []
    progress: list[ReportRow] = []
    behind_pace: list[ReportRow] = []
    for row in rows:
        category = categories[(row.task, row.unit)]
        if category == "overdue":
            overdue.extend(_overdue_items(row, today))
        elif category == "done":
            if row.updated_at is not None and week.done_this_week(row.updated_at):
                done.append(DoneItem(row.task, row.unit, row.title, row.updated_at))
        else:
            due_soon.extend(_due_soon_items(row, today, week.horizon))
            if category == "blocked":
                blocked.append(
                    BlockedItem(row.task, row.unit, row.title, row.note, row.updated_at)
                )
        if row.unreported:
            unreported.append(row)
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
        as_of=week.as_of,
        totals=count(categories.values()),
        units=unit_lines,
        overdue=tuple(sorted(overdue, key=lambda i: (i.due, i.task, i.unit))),
        due_soon=tuple(sorted(due_soon, key=lambda i: (i.due, i.task, i.unit))),
        blocked=tuple(blocked),
        extensions=tuple(sorted(extensions, key=lambda e: (e.date, e.task, e.unit))),
        silent_units=silent,
        done_this_week=tuple(sorted(done, key=lambda d: d.at)),
        categories=categories,
        tz=week.tz,
        unreported=tuple(unreported),
        awaiting=awaiting,
        progress=tuple(progress),
        behind_pace=tuple(behind_pace),
    )


class _UnitTally:
    """One unit's pairs as the digest counts them."""

    __slots__ = ("awaiting", "by_category", "open", "quiet", "rows", "unreported")

    def __init__(self) -> None:
        self.by_category = dict.fromkeys(CATEGORIES, 0)
        self.rows = self.unreported = self.awaiting = 0
        # Something left to do; no report at all since the silence threshold.
        self.open = False
        self.quiet = True

    def add(self, pair: PairGlance, category: Category, silent_since: datetime) -> None:
        """Count one pair."""
        self.rows += 1
        self.by_category[category] += 1
        self.unreported += pair.unreported
        self.awaiting += pair.awaiting
        self.open = self.open or category != "done"
        if pair.updated_at is not None and pair.updated_at > silent_since:
            self.quiet = False

    def counts(self) -> Counts:
        """Return the unit's counts."""
        return Counts(rows=self.rows, **self.by_category)


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
