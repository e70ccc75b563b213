"""The reminder policy on the 2022 calendar: pure table tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from scheduler.policy import (
    MilestoneWindow,
    PromptPoint,
    digest_days,
    latest_point,
    prompt_points,
)
from scheduler.settings import load_settings
from scheduler.workdays import WorkCalendar

SETTINGS = load_settings()
CALENDAR = SETTINGS.calendar()
YEAR_START, YEAR_END = date(2022, 1, 1), date(2022, 12, 31)


def deadline(due: date) -> MilestoneWindow:
    return MilestoneWindow("deadline", None, due)


def days(points: list[PromptPoint], kind: str | None = None) -> list[date]:
    return [p.day for p in points if kind is None or p.kind == kind]


def test_deadline_on_holiday_is_prompted_on_previous_makeup_workday() -> None:
    points = prompt_points(deadline(date(2022, 1, 31)), CALENDAR, SETTINGS, YEAR_START, YEAR_END)
    # D-30 (1 Jan) moves to 2021 and falls before the plan; D-1 and D both land on Sunday 30 Jan.
    assert days(points, "reminder") == [
        date(2022, 1, 17),
        date(2022, 1, 24),
        date(2022, 1, 28),
        date(2022, 1, 30),
    ]


def test_d30_in_national_day_holiday_moves_to_september_30() -> None:
    points = prompt_points(deadline(date(2022, 10, 31)), CALENDAR, SETTINGS, YEAR_START, YEAR_END)
    assert days(points, "reminder") == [
        date(2022, 9, 30),
        date(2022, 10, 17),
        date(2022, 10, 24),
        date(2022, 10, 28),
        date(2022, 10, 31),
    ]


@pytest.mark.parametrize(
    "window",
    [
        deadline(date(2022, 1, 31)),
        deadline(date(2022, 10, 1)),
        deadline(date(2022, 5, 4)),
        MilestoneWindow("period", date(2022, 7, 1), date(2022, 9, 30)),
        MilestoneWindow("ongoing", date(2022, 1, 1), None),
    ],
)
def test_nothing_is_prompted_on_a_non_workday(window: MilestoneWindow) -> None:
    for point in prompt_points(window, CALENDAR, SETTINGS, YEAR_START, YEAR_END):
        assert CALENDAR.is_workday(point.day), point


def test_overdue_first_workday_after_then_every_third_leadership_from_second() -> None:
    points = prompt_points(deadline(date(2022, 1, 31)), CALENDAR, SETTINGS, YEAR_START, YEAR_END)
    overdue = [p for p in points if p.kind == "overdue"][:4]
    # Spring Festival runs to 6 Feb: the first workday after D is 7 Feb; then 10, 15, 18 Feb.
    assert [(p.day, p.overdue_number, p.escalate) for p in overdue] == [
        (date(2022, 2, 7), 1, False),
        (date(2022, 2, 10), 2, True),
        (date(2022, 2, 15), 3, True),
        (date(2022, 2, 18), 4, True),
    ]


def test_overdue_cadence_and_escalation_are_settings() -> None:
    settings = replace(SETTINGS, overdue_every=1, escalate_from=3)
    points = prompt_points(
        deadline(date(2022, 6, 30)), CALENDAR, settings, YEAR_START, date(2022, 7, 6)
    )
    overdue = [(p.day, p.escalate) for p in points if p.kind == "overdue"]
    assert overdue == [
        (date(2022, 7, 1), False),
        (date(2022, 7, 4), False),
        (date(2022, 7, 5), True),
        (date(2022, 7, 6), True),
    ]


def test_monthly_checkin_on_the_25th_moved_back_to_a_workday() -> None:
    ongoing = MilestoneWindow("ongoing", date(2022, 1, 1), None)
    checkins = days(prompt_points(ongoing, CALENDAR, SETTINGS, YEAR_START, YEAR_END))
    assert len(checkins) == 12
    assert date(2022, 6, 24) in checkins  # 25 June is a Saturday
    assert date(2022, 9, 23) in checkins  # 25 September is a Sunday
    assert date(2022, 12, 23) in checkins  # 25 December is a Sunday
    assert date(2022, 3, 25) in checkins


def test_period_gets_checkins_inside_its_window_and_d7_and_d_before_its_end() -> None:
    q3 = MilestoneWindow("period", date(2022, 7, 1), date(2022, 9, 30))
    points = prompt_points(q3, CALENDAR, SETTINGS, YEAR_START, YEAR_END)
    assert [(p.day, p.kind) for p in points] == [
        (date(2022, 7, 25), "checkin"),
        (date(2022, 8, 25), "checkin"),
        (date(2022, 9, 23), "reminder"),  # D-7; the 25th check-in moved to 23 Sept too
        (date(2022, 9, 30), "reminder"),
    ]


def test_nothing_before_the_floor() -> None:
    floor = date(2022, 10, 20)
    points = prompt_points(deadline(date(2022, 10, 31)), CALENDAR, SETTINGS, floor, YEAR_END)
    assert days(points, "reminder") == [date(2022, 10, 24), date(2022, 10, 28), date(2022, 10, 31)]
    assert latest_point(deadline(date(2022, 10, 31)), CALENDAR, SETTINGS, floor, floor) is None


def test_digest_on_first_workday_of_each_iso_week() -> None:
    found = digest_days(CALENDAR, SETTINGS, YEAR_START, YEAR_END)
    assert date(2022, 10, 8) in found  # National Day week: Saturday makeup workday
    assert date(2022, 10, 3) not in found
    assert date(2022, 1, 4) in found  # 3 Jan is New Year's holiday
    # The Spring Festival week (31 Jan - 6 Feb) has no workday, so no digest.
    assert not [d for d in found if date(2022, 1, 31) <= d <= date(2022, 2, 6)]
    assert date(2022, 2, 7) in found
    assert all(CALENDAR.is_workday(d) for d in found)
    assert len({d.isocalendar()[:2] for d in found}) == len(found)


@pytest.mark.parametrize(
    "window",
    [
        deadline(date(2022, 1, 31)),
        deadline(date(2022, 10, 31)),
        deadline(date(2022, 6, 30)),
        MilestoneWindow("period", date(2022, 1, 1), date(2022, 6, 30)),
        MilestoneWindow("ongoing", date(2022, 1, 1), None),
    ],
)
def test_latest_point_agrees_with_the_full_schedule_every_day(window: MilestoneWindow) -> None:
    floor = date(2022, 1, 4)
    schedule = prompt_points(window, CALENDAR, SETTINGS, floor, YEAR_END)
    day = floor
    while day <= YEAR_END:
        expected = [p for p in schedule if p.day <= day]
        assert latest_point(window, CALENDAR, SETTINGS, day, floor) == (
            expected[-1] if expected else None
        ), day
        day += timedelta(days=1)


def test_unknown_year_with_and_without_holiday_override(tmp_path: Path) -> None:
    due = deadline(date(2027, 10, 5))
    bare = prompt_points(due, WorkCalendar(), SETTINGS, date(2027, 1, 1), date(2027, 12, 31))
    assert days(bare, "reminder")[-1] == date(2027, 10, 5)  # a Tuesday on Monday-Friday
    holidays = tmp_path / "holidays.toml"
    holidays.write_text(
        "days_off = [2027-10-01, 2027-10-04, 2027-10-05, 2027-10-06, 2027-10-07]\n",
        encoding="utf-8",
    )
    known = WorkCalendar.from_file(holidays)
    points = prompt_points(due, known, SETTINGS, date(2027, 1, 1), date(2027, 12, 31))
    assert days(points, "reminder")[-1] == date(2027, 9, 30)
    assert days(points, "overdue")[0] == date(2027, 10, 8)


def test_a_monthly_deadline_is_reminded_only_within_its_interval() -> None:
    monthly = MilestoneWindow("deadline", None, date(2022, 3, 28), interval_days=30)
    points = prompt_points(monthly, CALENDAR, SETTINGS, YEAR_START, YEAR_END)
    # D-30 (2月26日, before February's occurrence is due) is dropped; D-14, D-7, D-3, D-1, D.
    assert days(points, "reminder") == [
        date(2022, 3, 14), date(2022, 3, 21), date(2022, 3, 25), date(2022, 3, 28),
    ]  # fmt: skip
    weekly = MilestoneWindow("deadline", None, date(2022, 3, 11), interval_days=7)
    assert days(prompt_points(weekly, CALENDAR, SETTINGS, YEAR_START, YEAR_END), "reminder") == [
        date(2022, 3, 8), date(2022, 3, 10), date(2022, 3, 11),
    ]  # fmt: skip


def test_an_event_milestone_has_check_ins_until_its_event_then_no_reminder_before_it() -> None:
    waiting = MilestoneWindow("event", None, None)
    points = prompt_points(waiting, CALENDAR, SETTINGS, YEAR_START, date(2022, 3, 31))
    assert {p.kind for p in points} == {"checkin"}
    started = MilestoneWindow("deadline", date(2022, 3, 4), date(2022, 4, 1))
    reminders = days(prompt_points(started, CALENDAR, SETTINGS, YEAR_START, YEAR_END), "reminder")
    assert reminders[0] == date(2022, 3, 18)  # D-30 (3月2日) fell before the event
    latest = latest_point(started, CALENDAR, SETTINGS, date(2022, 3, 7), YEAR_START)
    assert latest is None  # nothing owed on the day it is reported
