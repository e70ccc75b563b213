"""`duban plan check` warns about plan years whose official calendar is unknown."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli.main import main
from plan_data import default_plan_path


@pytest.fixture
def plan_2027(tmp_path: Path) -> Path:
    text = default_plan_path().read_text(encoding="utf-8").replace("2022年", "2027年")
    path = tmp_path / "plan-2027.txt"
    path.write_text(text, encoding="utf-8")
    return path


def test_plan_check_warns_about_an_unknown_year_without_failing(
    plan_2027: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DUBAN_SETTINGS", raising=False)
    assert main(["plan", "check", "--plan", str(plan_2027)]) == 0
    out = capsys.readouterr().out
    assert "warning: the official calendar for 2027 is not known" in out
    assert "without holidays" in out


def test_plan_check_names_the_holiday_file_that_covers_the_year(
    plan_2027: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (tmp_path / "holidays-2027.toml").write_text("days_off = [2027-10-01]\n", "utf-8")
    settings = tmp_path / "duban.toml"
    settings.write_text('holiday_file = "holidays-2027.toml"\n', "utf-8")
    monkeypatch.setenv("DUBAN_SETTINGS", str(settings))
    assert main(["plan", "check", "--plan", str(plan_2027)]) == 0
    out = capsys.readouterr().out
    assert "with the holidays of" in out
    assert "holidays-2027.toml" in out


def test_plan_check_is_quiet_about_a_known_year(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DUBAN_SETTINGS", raising=False)
    assert main(["plan", "check"]) == 0
    assert "warning" not in capsys.readouterr().out
