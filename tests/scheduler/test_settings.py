"""Policy settings: one TOML file, every default overridable, mistakes named."""

from __future__ import annotations

import tomllib
from datetime import date, time
from pathlib import Path

import pytest

from scheduler.settings import DEFAULTS_FILE, SettingsFileError, load_settings

EXAMPLE = Path(__file__).resolve().parents[2] / "duban.toml.example"


def test_defaults_are_design_policy() -> None:
    settings = load_settings()
    assert settings.lead_days == (30, 14, 7, 3, 1, 0)
    assert settings.send_time == time(9, 0)
    assert settings.overdue_every == 3
    assert settings.escalate_from == 2
    assert settings.checkin_day == 25
    assert settings.digest_day is None  # the first workday of the week
    assert settings.digest_time == time(9, 0)
    assert str(settings.timezone) == "Asia/Shanghai"


def test_example_file_documents_every_key_with_the_defaults() -> None:
    example = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    defaults = tomllib.loads(DEFAULTS_FILE.read_text(encoding="utf-8"))
    assert example == defaults
    assert load_settings(EXAMPLE) == load_settings()


def test_a_file_overrides_some_keys(tmp_path: Path) -> None:
    (tmp_path / "holidays.toml").write_text("days_off = [2022-06-24]\n", encoding="utf-8")
    path = tmp_path / "duban.toml"
    path.write_text(
        'send_time = "08:30"\nlead_days = [7, 0]\nholiday_file = "holidays.toml"\n'
        "quiet_days = [2022-06-23]\n",
        encoding="utf-8",
    )
    settings = load_settings(path)
    assert settings.send_time == time(8, 30)
    assert settings.lead_days == (7, 0)
    assert settings.overdue_every == 3
    calendar = settings.calendar()
    assert not calendar.is_workday(date(2022, 6, 24))
    assert not calendar.is_workday(date(2022, 6, 23))
    assert calendar.is_workday(date(2022, 6, 22))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("send_tme = '09:00'", "unknown setting"),
        ("send_time = 'nine'", "send_time"),
        ("overdue_every = 0", "overdue_every"),
        ("checkin_day = 31", "checkin_day"),
        ("lead_days = [-1]", "lead_days"),
        ("digest_day = 'tuesday'", "digest_day"),
        ("timezone = 'Asia/Shanghai'", "DUBAN_TZ"),
        ("send_time = ", "cannot read"),
    ],
)
def test_bad_settings_are_named(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "duban.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SettingsFileError, match=message):
        load_settings(path)
