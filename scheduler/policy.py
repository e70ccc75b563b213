"""The reminder policy, pure: which prompts a milestone earns on which workdays.

DESIGN "Reminder policy": a deadline D is prompted on D-30, D-14, D-7, D-3, D-1 and D (each
moved back to the nearest earlier workday), then, while not done, on the first workday after D
and every third workday after that, leadership told from the second overdue prompt. Period
and ongoing work get a monthly check-in on the 25th (moved back) inside its window; a period
also gets D-7 and D before its end. Nothing falls before `floor` (the later of the plan's start
and the service's first start). Every number comes from PolicySettings.

A recurring deadline (one of a series, `每月28日前`) is reminded only on lead days shorter
than its interval, so that one occurrence's reminders never start before the previous one is
due (monthly: D-14 on, not D-30). A deadline that has a start (one that waited for its event:
the event day) is never reminded before it; until its event is reported such a milestone has
no dates, and gets the monthly check-in only.

A paused unit (`paused`: its windows, first and last day) gets nothing on a paused day: a
point that falls in a window is held to the first workday after it, and overdue prompts are
counted on the workdays outside the windows only (the 2nd overdue prompt, and so escalation,
comes that much later). The due dates themselves never move.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Literal

from scheduler.settings import PolicySettings
from scheduler.workdays import WorkCalendar

PointKind = Literal["reminder", "overdue", "checkin"]
# When two points fall on one day the message carries the most pressing one.
_RANK: dict[str, int] = {"checkin": 0, "reminder": 1, "overdue": 2}
# A unit's paused windows (first day, last day), as storage.pauses derives them.
Paused = tuple[tuple[date, date], ...]
# How far back a check-in can lie and still be the latest point (one month and some).
_CHECKIN_LOOKBACK = timedelta(days=62)


@dataclass(frozen=True, slots=True)
class MilestoneWindow:
    """What the policy needs of a milestone: kind, window and effective (extended) end."""

    kind: str
    start: date | None
    end: date | None
    # A recurring deadline's nominal days between occurrences (None: not recurring).
    interval_days: int | None = None


@dataclass(frozen=True, slots=True)
class PromptPoint:
    """One day a milestone's unit is prompted, why, and whether leadership is told."""

    day: date
    kind: PointKind
    due: date | None
    overdue_number: int = 0
    escalate: bool = False


def prompt_points(
    milestone: MilestoneWindow,
    calendar: WorkCalendar,
    settings: PolicySettings,
    first: date,
    last: date,
    paused: Paused = (),
) -> list[PromptPoint]:
    """Return every prompt point of a not-done milestone in [first, last], in date order."""
    since = min([first, *(start for start, _ in paused)])
    points = [
        *_reminders(milestone, calendar, settings),
        *_checkins(milestone, calendar, settings, since, last),
    ]
    if milestone.kind == "deadline" and milestone.end is not None:
        points.extend(_overdues(milestone.end, calendar, settings, last, paused))
    if paused:
        points = [_held(p, calendar, paused) for p in points]
    return _merge(p for p in points if first <= p.day <= last)


def latest_point(
    milestone: MilestoneWindow,
    calendar: WorkCalendar,
    settings: PolicySettings,
    today: date,
    floor: date,
    paused: Paused = (),
) -> PromptPoint | None:
    """Return the latest prompt point on or before today and not before floor, if any."""
    if paused and _paused_on(today, paused):
        return None
    since = min([today - _CHECKIN_LOOKBACK, *(start for start, _ in paused)])
    candidates = [p for p in _reminders(milestone, calendar, settings) if p.day <= today]
    candidates.extend(_checkins(milestone, calendar, settings, since, today))
    if paused:
        candidates = [_held(p, calendar, paused) for p in candidates]
    if milestone.kind == "deadline" and milestone.end is not None:
        if paused:
            overdue = _latest_overdue_paused(milestone.end, calendar, settings, today, paused)
        else:
            overdue = _latest_overdue(milestone.end, calendar, settings, today)
        if overdue is not None:
            candidates.append(overdue)
    candidates = [p for p in candidates if floor <= p.day <= today]
    if not candidates:
        return None
    return max(candidates, key=lambda p: (p.day, _RANK[p.kind]))


def _paused_on(day: date, paused: Paused) -> bool:
    return any(start <= day <= end for start, end in paused)


def _held(point: PromptPoint, calendar: WorkCalendar, paused: Paused) -> PromptPoint:
    """Return a point, or (falling in a pause) the same point on the first workday after it."""
    day = point.day
    while True:
        window = next(((s, e) for s, e in paused if s <= day <= e), None)
        if window is None:
            return point if day == point.day else replace(point, day=day)
        day = next(iter(calendar.workdays_after(window[1])))


def _active_workdays_after(
    due: date, calendar: WorkCalendar, last: date, paused: Paused
) -> Iterable[date]:
    """Yield the workdays after `due` up to `last` that no pause holds."""
    for day in calendar.workdays_after(due):
        if day > last:
            return
        if not _paused_on(day, paused):
            yield day


def digest_days(
    calendar: WorkCalendar, settings: PolicySettings, first: date, last: date
) -> list[date]:
    """Return the weekly digest days in [first, last]: one per ISO week that has a workday."""
    days = []
    monday = first - timedelta(days=first.weekday())
    while monday <= last:
        day = digest_day_of_week(calendar, settings, monday)
        if day is not None and first <= day <= last:
            days.append(day)
        monday += timedelta(days=7)
    return days


def digest_day_of_week(calendar: WorkCalendar, settings: PolicySettings, day: date) -> date | None:
    """Return the digest day of a day's ISO week (None if the week has no workday)."""
    if settings.digest_day is None:
        return calendar.first_workday_of_week(day)
    monday = day - timedelta(days=day.weekday())
    for offset in range(settings.digest_day - 1, 7):
        candidate = monday + timedelta(days=offset)
        if calendar.is_workday(candidate):
            return candidate
    return None


def _reminders(
    m: MilestoneWindow, calendar: WorkCalendar, settings: PolicySettings
) -> list[PromptPoint]:
    if m.end is None or m.kind == "ongoing":
        return []
    leads = settings.lead_days if m.kind == "deadline" else settings.period_end_lead_days
    if m.interval_days is not None:
        leads = tuple(n for n in leads if n < m.interval_days)
    days = {calendar.workday_on_or_before(m.end - timedelta(days=n)) for n in leads}
    if m.start is not None:
        days = {d for d in days if d >= m.start}
    return [PromptPoint(d, "reminder", m.end) for d in sorted(days)]


def _checkins(
    m: MilestoneWindow,
    calendar: WorkCalendar,
    settings: PolicySettings,
    first: date,
    last: date,
) -> list[PromptPoint]:
    if m.kind == "deadline":
        return []
    points = []
    month = date(first.year, first.month, 1)
    while month <= last:
        day = calendar.workday_on_or_before(month.replace(day=settings.checkin_day))
        inside = (m.start is None or day >= m.start) and (m.end is None or day <= m.end)
        if inside and first <= day <= last:
            points.append(PromptPoint(day, "checkin", m.end))
        month = (month + timedelta(days=32)).replace(day=1)
    return points


def _overdue_point(due: date, day: date, number: int, settings: PolicySettings) -> PromptPoint:
    return PromptPoint(day, "overdue", due, number, number >= settings.escalate_from)


def _overdues(
    due: date, calendar: WorkCalendar, settings: PolicySettings, last: date, paused: Paused = ()
) -> list[PromptPoint]:
    points = []
    for index, day in enumerate(_active_workdays_after(due, calendar, last, paused)):
        if index % settings.overdue_every == 0:
            points.append(_overdue_point(due, day, index // settings.overdue_every + 1, settings))
    return points


def _latest_overdue_paused(
    due: date, calendar: WorkCalendar, settings: PolicySettings, today: date, paused: Paused
) -> PromptPoint | None:
    """Return the latest overdue point by today, counting only the workdays not paused."""
    found = _overdues(due, calendar, settings, today, paused)
    return found[-1] if found else None


def _latest_overdue(
    due: date, calendar: WorkCalendar, settings: PolicySettings, today: date
) -> PromptPoint | None:
    passed = calendar.workdays_in(due, today)
    if passed == 0:
        return None
    # The k-th workday after D (1-based) is prompted when k - 1 is a multiple of the cadence.
    back = (passed - 1) % settings.overdue_every
    latest_workday = calendar.workday_on_or_before(today)
    day = calendar.nth_workday_before(latest_workday, back)
    return _overdue_point(due, day, (passed - 1) // settings.overdue_every + 1, settings)


def _merge(points: Iterable[PromptPoint]) -> list[PromptPoint]:
    best: dict[date, PromptPoint] = {}
    for point in points:
        held = best.get(point.day)
        if held is None or _RANK[point.kind] > _RANK[held.kind]:
            best[point.day] = point
    return [best[d] for d in sorted(best)]
