"""The reminder policy's settings: defaults in scheduler/defaults.toml, overridden by a file."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from plan_data.errors import DubanError
from scheduler.workdays import WorkCalendar
from storage.status import StatusRules
from vocabulary import DEFAULT_TZ

DEFAULTS_FILE = Path(__file__).resolve().parent / "defaults.toml"
FIRST_WORKDAY = "first_workday"


class SettingsFileError(DubanError):
    """The policy settings file is missing or wrong."""


@dataclass(frozen=True, slots=True)
class PolicySettings:
    """Every knob of the reminder policy (DESIGN "Reminder policy")."""

    timezone: ZoneInfo
    send_time: time
    lead_days: tuple[int, ...]
    overdue_every: int
    escalate_from: int
    checkin_day: int
    period_end_lead_days: tuple[int, ...]
    digest_day: int | None
    digest_time: time
    holiday_file: Path | None
    quiet_days: frozenset[date]
    question_hours: int = 24
    escalate_top_from: int = 4
    warn_days: int = 7
    unreported_workdays: int = 20
    signoff: bool = True
    # 序时进度: a row this many points behind the elapsed share of its span turns 🟡, and the
    # span is counted in workdays (the office's calendar) or calendar days.
    pace_margin: int = 15
    pace_workdays: bool = True

    def status_rules(self, calendar: WorkCalendar | None = None) -> StatusRules:
        """Return what the lights weigh, counting workdays on the office's calendar."""
        days = calendar or self.calendar()
        return StatusRules(
            warn_days=self.warn_days,
            unreported_workdays=self.unreported_workdays,
            signoff=self.signoff,
            workdays_between=days.workdays_in,
            pace_margin=self.pace_margin,
            pace_workdays=self.pace_workdays,
        )

    def calendar(self) -> WorkCalendar:
        """Return the workday calendar these settings describe (holiday file, quiet days)."""
        base = WorkCalendar.from_file(self.holiday_file)
        return WorkCalendar(
            base.days_off | self.quiet_days, base.workdays - self.quiet_days, base.source
        )


def load_settings(path: Path | None = None, tz: ZoneInfo = DEFAULT_TZ) -> PolicySettings:
    """Return the defaults overridden by the TOML file at path (DUBAN_SETTINGS), if any.

    Times are local to `tz`, the office's time zone (DUBAN_TZ).
    """
    data = _read(DEFAULTS_FILE)
    base_dir = DEFAULTS_FILE.parent
    if path is not None:
        override = _read(path)
        if "timezone" in override:
            raise SettingsFileError(f"{path}: set the time zone with DUBAN_TZ, not timezone")
        unknown = sorted(set(override) - set(data))
        if unknown:
            raise SettingsFileError(f"{path}: unknown setting(s): {', '.join(unknown)}")
        data.update(override)
        base_dir = path.resolve().parent
    where = str(path or DEFAULTS_FILE)
    try:
        return _settings(data, base_dir, tz)
    except (TypeError, ValueError, ZoneInfoNotFoundError) as exc:
        raise SettingsFileError(f"{where}: {exc}") from None


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SettingsFileError(f"settings file not found: {path}") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SettingsFileError(f"cannot read settings file {path}: {exc}") from None


def _settings(data: dict[str, Any], base_dir: Path, tz: ZoneInfo) -> PolicySettings:
    holiday = str(data["holiday_file"]).strip()
    return PolicySettings(
        timezone=tz,
        send_time=_time(data["send_time"], "send_time"),
        lead_days=_days(data["lead_days"], "lead_days"),
        overdue_every=_positive(data["overdue_every"], "overdue_every"),
        escalate_from=_positive(data["escalate_from"], "escalate_from"),
        checkin_day=_day_of_month(data["checkin_day"]),
        period_end_lead_days=_days(data["period_end_lead_days"], "period_end_lead_days"),
        digest_day=_digest_day(data["digest_day"]),
        digest_time=_time(data["digest_time"], "digest_time"),
        holiday_file=(base_dir / holiday) if holiday else None,
        quiet_days=frozenset(_date(v, "quiet_days") for v in data["quiet_days"]),
        question_hours=_positive(data["question_hours"], "question_hours"),
        escalate_top_from=_positive(data["escalate_top_from"], "escalate_top_from"),
        warn_days=_days_count(data["warn_days"], "warn_days"),
        unreported_workdays=_positive(data["unreported_workdays"], "unreported_workdays"),
        signoff=_bool(data["signoff"], "signoff"),
        pace_margin=_percent_points(data["pace_margin"], "pace_margin"),
        pace_workdays=_pace_count(data["pace_count"]),
    )


def _time(value: object, key: str) -> time:
    if isinstance(value, time):
        return value
    try:
        return time.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"{key} must be a time such as 09:00, not {value!r}") from None


def _days(value: object, key: str) -> tuple[int, ...]:
    if not isinstance(value, list) or not all(
        isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 366 for v in value
    ):
        raise ValueError(f"{key} must be a list of whole days between 0 and 366")
    return tuple(sorted(set(value), reverse=True))


def _bool(value: object, key: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{key} must be true or false")
    return value


def _percent_points(value: object, key: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100:
        raise ValueError(f"{key} must be a whole number of percentage points between 0 and 100")
    return value


def _pace_count(value: object) -> bool:
    if value not in ("workdays", "days"):
        raise ValueError('pace_count must be "workdays" or "days"')
    return value == "workdays"


def _days_count(value: object, key: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 366:
        raise ValueError(f"{key} must be a whole number of days between 0 and 366")
    return value


def _positive(value: object, key: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{key} must be a whole number of at least 1")
    return value


def _day_of_month(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 28:
        raise ValueError("checkin_day must be a day of the month between 1 and 28")
    return value


def _digest_day(value: object) -> int | None:
    if value == FIRST_WORKDAY:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 7:
        return value
    raise ValueError(f'digest_day must be "{FIRST_WORKDAY}" or an ISO weekday 1-7')


def _date(value: object, key: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"{key}: {value!r} is not a date") from None
