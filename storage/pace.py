"""序时进度 (pace), pure: how much of a row's time has gone against how much work is reported.

A row's targets are the whole task's (`新增养老床位150张` by 12月31日), so its span runs from
the plan year's start to the due date of its last open deadline; for a deadline that waited
for its event, from the event day; for work that only has a period, over the period. Ongoing
work without an end has no pace. The elapsed share counts workdays (the office's calendar)
or calendar days, today included; the reported share is the lowest of the latest readings of
the row's targets (targets never reported are not guessed at), capped at the whole. A row
is behind when the elapsed share leads the reported one by more than the margin, in points.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta

from storage.milestones import MilestoneStatus
from storage.records import Pace, TargetProgress

PACE_MARGIN = 15


def pace_span(milestones: Sequence[MilestoneStatus], year_start: date) -> tuple[date, date] | None:
    """Return (first day, due date) of the span a row's pace is measured over, if any."""
    deadlines = [
        m for m in milestones if m.kind == "deadline" and m.end is not None and m.state == "open"
    ]
    if deadlines:
        last = max(deadlines, key=lambda m: m.end or date.min)
        if last.end is not None:
            return (last.start or year_start, last.end)
    periods = [
        m
        for m in milestones
        if m.kind == "period" and m.start is not None and m.end is not None and m.state == "open"
    ]
    if periods:
        last = max(periods, key=lambda m: m.end or date.min)
        if last.start is not None and last.end is not None:
            return (last.start, last.end)
    return None


def elapsed_share(
    start: date,
    due: date,
    today: date,
    workdays_between: Callable[[date, date], int] | None = None,
) -> float:
    """Return the share of [start, due] elapsed by the end of today (0 before, 1 after).

    With `workdays_between(after, until)` (workdays in (after, until]) workdays are counted,
    else calendar days.
    """
    if today < start:
        return 0.0
    if today >= due:
        return 1.0
    before = start - timedelta(days=1)
    if workdays_between is not None:
        total = workdays_between(before, due)
        gone = workdays_between(before, today)
    else:
        total = (due - before).days
        gone = (today - before).days
    return gone / total if total else 1.0


def pace_of(
    milestones: Sequence[MilestoneStatus],
    progress: Sequence[TargetProgress],
    today: date,
    year_start: date,
    *,
    margin: int = PACE_MARGIN,
    workdays_between: Callable[[date, date], int] | None = None,
) -> Pace | None:
    """Return a row's pace, or None when nothing is reported or it has no span."""
    if not progress:
        return None
    span = pace_span(milestones, year_start)
    if span is None:
        return None
    start, due = span
    expected = elapsed_share(start, due, today, workdays_between)
    reported = min(min(p.share for p in progress), 1.0)
    behind = (expected - reported) * 100 > margin
    return Pace(expected, reported, behind, start, due)
