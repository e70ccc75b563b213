"""When a milestone that waits for an event (`印发之日起20个工作日内`) falls due."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from plan_data.chinese_dates import month_end
from plan_data.model import Milestone

# A run of holidays is never this long; it bounds the search for the n-th workday.
_MAX_DAYS_PER_WORKDAY = 30


def event_due(milestone: Milestone, event_day: date, is_workday: Callable[[date], bool]) -> date:
    """Return the due date of an event milestone whose event happened on event_day.

    The event day itself is not counted (期间开始之日不计入): 20日内 after 3月5日 is 3月25日,
    20个工作日内 is the 20th workday after it. `待…完成后开始` (no offset) is due on the day.
    """
    if milestone.kind != "event":
        raise ValueError(f"not an event milestone: {milestone.kind}")
    offset = milestone.offset or 0
    if milestone.offset_unit == "months":
        index = event_day.year * 12 + event_day.month - 1 + offset
        year, month = divmod(index, 12)
        return date(year, month + 1, min(event_day.day, month_end(year, month + 1)))
    if milestone.offset_unit != "workdays":
        return event_day + timedelta(days=offset)
    day, found = event_day, 0
    for _ in range(offset * _MAX_DAYS_PER_WORKDAY):
        if found == offset:
            break
        day += timedelta(days=1)
        found += is_workday(day)
    return day
