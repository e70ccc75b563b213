"""Workdays of the official Chinese calendar, with 调休 and an office's own override file."""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path

import chinese_calendar

from plan_data.errors import DubanError

log = logging.getLogger(__name__)

# A year has at most a couple of weeks of holiday in a row; this bounds every search.
_SEARCH_DAYS = 60


class HolidayFileError(DubanError):
    """The holiday override file cannot be read."""


class WorkCalendar:
    """Answers "is this a workday?": override file, then chinese-calendar, then Mon-Fri."""

    def __init__(
        self, days_off: Iterable[date] = (), workdays: Iterable[date] = (), source: str = ""
    ) -> None:
        self.days_off = frozenset(days_off)
        self.workdays = frozenset(workdays)
        self.source = source
        self._cache: dict[date, bool] = {}
        self._warned: set[int] = set()
        self._covered = {d.year for d in self.days_off | self.workdays}
        self._running: dict[int, list[int]] = {}

    @classmethod
    def from_file(cls, path: Path | None) -> WorkCalendar:
        """Return a calendar with the overrides of a TOML file (`days_off`, `workdays`)."""
        if path is None:
            return cls()
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise HolidayFileError(f"holiday file not found: {path}") from None
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise HolidayFileError(f"cannot read holiday file {path}: {exc}") from None
        return cls(
            _dates(data.get("days_off", []), path, "days_off"),
            _dates(data.get("workdays", []), path, "workdays"),
            str(path),
        )

    def library_knows(self, year: int) -> bool:
        """Return whether chinese-calendar has the official calendar of a year."""
        try:
            chinese_calendar.is_workday(date(year, 6, 1))
        except NotImplementedError:
            return False
        return True

    def warnings_for_year(self, year: int) -> list[str]:
        """Return why workdays of a year may be wrong (for `duban plan check`); empty if fine."""
        if self.library_knows(year):
            return []
        if year in self._covered:
            return [
                f"the official calendar for {year} is not known to chinese-calendar; "
                f"using Monday-Friday with the holidays of {self.source}"
            ]
        return [
            f"the official calendar for {year} is not known to chinese-calendar; "
            "using Monday-Friday without holidays: set days_off and workdays in the "
            "holiday file (holiday_file in the settings)"
        ]

    def is_workday(self, day: date) -> bool:
        """Return whether the office works on a day."""
        known = self._cache.get(day)
        if known is None:
            known = self._compute(day)
            self._cache[day] = known
        return known

    def workday_on_or_before(self, day: date) -> date:
        """Return the day itself if it is a workday, else the nearest earlier workday."""
        for back in range(_SEARCH_DAYS):
            candidate = day - timedelta(days=back)
            if self.is_workday(candidate):
                return candidate
        return day

    def workdays_after(self, day: date) -> Iterable[date]:
        """Yield the workdays after a day, in order, without end."""
        candidate = day
        while True:
            candidate += timedelta(days=1)
            if self.is_workday(candidate):
                yield candidate

    def workdays_in(self, after: date, until: date) -> int:
        """Return how many workdays lie in (after, until]; 0 when until is not later."""
        if until <= after:
            return 0
        whole_years = sum(self._year(y)[-1] for y in range(after.year, until.year))
        return (
            whole_years
            + self._year(until.year)[_index(until)]
            - self._year(after.year)[_index(after)]
        )

    def nth_workday_before(self, day: date, n: int) -> date:
        """Return the workday n workdays before a workday (n = 0: the day itself)."""
        found = day
        for _ in range(n):
            found = self.workday_on_or_before(found - timedelta(days=1))
        return found

    def first_workday_of_week(self, day: date) -> date | None:
        """Return the first workday of the day's ISO week, or None if the week has none."""
        monday = day - timedelta(days=day.weekday())
        for offset in range(7):
            candidate = monday + timedelta(days=offset)
            if self.is_workday(candidate):
                return candidate
        return None

    def _year(self, year: int) -> list[int]:
        """Return the running count of workdays through each day of a year."""
        running = self._running.get(year)
        if running is None:
            running, count, day = [], 0, date(year, 1, 1)
            while day.year == year:
                count += self.is_workday(day)
                running.append(count)
                day += timedelta(days=1)
            self._running[year] = running
        return running

    def _compute(self, day: date) -> bool:
        if day in self.workdays:
            return True
        if day in self.days_off:
            return False
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            if day.year not in self._warned:
                self._warned.add(day.year)
                for warning in self.warnings_for_year(day.year):
                    log.warning(warning)
            return day.weekday() < 5


def _index(day: date) -> int:
    return day.timetuple().tm_yday - 1


def _dates(values: object, path: Path, key: str) -> list[date]:
    if not isinstance(values, list):
        raise HolidayFileError(f"{path}: {key} must be a list of dates")
    found = []
    for value in values:
        if isinstance(value, date):
            found.append(value)
            continue
        try:
            found.append(date.fromisoformat(str(value)))
        except ValueError:
            raise HolidayFileError(f"{path}: {key}: {value!r} is not a date") from None
    return found
