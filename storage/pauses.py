"""Pauses: a unit's prompts and overdue counting held for a period (leave, an emergency).

Kept as append-only events: a pause (from, until, reason) and a resume (from a day on). The
windows a unit is paused in are derived from them (`windows`), so the history stays whole.
Deadlines never move with a pause; that stays an extension. The rules here are pure;
`storage.pause_queries` records and reads the events.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from storage.records import PauseInfo


@dataclass(frozen=True, slots=True)
class PauseEvent:
    """One recorded pause or resume of a unit."""

    unit: str
    kind: str
    from_day: date
    until_day: date | None
    reason: str | None
    by: str
    at: datetime


# A paused period: first day, last day, reason.
PauseWindow = tuple[date, date, str | None]


def windows(events: Iterable[PauseEvent]) -> list[PauseWindow]:
    """Return the periods (first day, last day, reason) the events leave paused, in order.

    A resume ends every pause still running on its day (and cancels those set to start
    later); a later pause starts afresh.
    """
    found: list[PauseWindow] = []
    for event in sorted(events, key=lambda e: e.at):
        if event.kind == "pause" and event.until_day is not None:
            found.append((event.from_day, event.until_day, event.reason))
        elif event.kind == "resume":
            cut = event.from_day - timedelta(days=1)
            found = [(a, min(b, cut), r) for a, b, r in found if a <= cut]
    return [w for w in found if w[0] <= w[1]]


def pause_on(events: Iterable[PauseEvent], day: date) -> PauseInfo | None:
    """Return the pause a day falls in, or None."""
    return pause_in(windows(events), day)


def pause_in(periods: Iterable[PauseWindow], day: date) -> PauseInfo | None:
    """Return the paused period (`windows`) a day falls in, or None."""
    for first, last, reason in periods:
        if first <= day <= last:
            return PauseInfo(last, reason, first)
    return None
