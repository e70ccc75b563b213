"""Workdays: the official 2022 calendar with 调休, and years the library does not know."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from pathlib import Path

import pytest

from scheduler.workdays import HolidayFileError, WorkCalendar


@pytest.mark.parametrize(
    ("day", "works"),
    [
        (date(2022, 1, 30), True),  # Sunday, makeup workday before Spring Festival
        (date(2022, 1, 31), False),  # Monday, Spring Festival holiday
        (date(2022, 10, 8), True),  # Saturday, makeup workday after National Day
        (date(2022, 10, 3), False),
        (date(2022, 6, 25), False),  # plain Saturday
        (date(2022, 6, 24), True),
    ],
)
def test_2022_calendar_follows_the_official_one(day: date, works: bool) -> None:
    assert WorkCalendar().is_workday(day) is works


def test_holiday_moves_back_to_the_makeup_workday() -> None:
    assert WorkCalendar().workday_on_or_before(date(2022, 1, 31)) == date(2022, 1, 30)


def test_unknown_year_falls_back_to_weekdays_and_warns_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    calendar = WorkCalendar()
    with caplog.at_level(logging.WARNING, logger="scheduler.workdays"):
        works = [calendar.is_workday(date(2027, 10, 1) + timedelta(days=n)) for n in range(14)]
    assert works == [True, False, False] + [True] * 5 + [False, False] + [True] * 4
    warnings = [r for r in caplog.records if "2027" in r.getMessage()]
    assert len(warnings) == 1
    assert calendar.warnings_for_year(2027)
    assert calendar.warnings_for_year(2022) == []


def test_override_file_sets_an_unknown_year(tmp_path: Path) -> None:
    holidays = tmp_path / "holidays.toml"
    holidays.write_text(
        "days_off = [2027-10-01, 2027-10-04, 2027-10-05, 2027-10-06, 2027-10-07]\n"
        'workdays = ["2027-10-09"]\n',
        encoding="utf-8",
    )
    calendar = WorkCalendar.from_file(holidays)
    assert not calendar.is_workday(date(2027, 10, 1))
    assert calendar.is_workday(date(2027, 10, 9))  # a Saturday made a workday
    assert calendar.workday_on_or_before(date(2027, 10, 7)) == date(2027, 9, 30)
    assert "holidays.toml" in calendar.warnings_for_year(2027)[0]


def test_override_wins_over_the_library(tmp_path: Path) -> None:
    holidays = tmp_path / "holidays.toml"
    holidays.write_text("days_off = [2022-06-24]\nworkdays = [2022-06-25]\n", encoding="utf-8")
    calendar = WorkCalendar.from_file(holidays)
    assert not calendar.is_workday(date(2022, 6, 24))
    assert calendar.is_workday(date(2022, 6, 25))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("days_off = [", "cannot read"),
        ('days_off = ["soon"]', "not a date"),
        ("workdays = 3", "list"),
    ],
)
def test_bad_override_file_is_a_clear_error(tmp_path: Path, text: str, message: str) -> None:
    holidays = tmp_path / "holidays.toml"
    holidays.write_text(text, encoding="utf-8")
    with pytest.raises(HolidayFileError, match=message):
        WorkCalendar.from_file(holidays)


def test_missing_override_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(HolidayFileError, match="not found"):
        WorkCalendar.from_file(tmp_path / "nope.toml")


def test_workday_counts_match_counting_day_by_day() -> None:
    calendar = WorkCalendar()
    start = date(2021, 12, 20)
    for span in (0, 1, 5, 40, 120, 400):
        end = start + timedelta(days=span)
        by_hand = sum(calendar.is_workday(start + timedelta(days=n)) for n in range(1, span + 1))
        assert calendar.workdays_in(start, end) == by_hand
