"""`duban simulate` end to end: the real reconcile, a throwaway database, no network."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from cli.main import main
from plan_data import default_plan_path


def simulate(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["simulate", *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def lines(out: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def test_json_lines_follow_design(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = simulate(capsys, "--from", "2022-06-20", "--to", "2022-06-24", "--json")
    assert status == 0
    found = lines(out)
    assert {m["kind"] for m in found} == {"digest", "prompt", "escalation"}
    for message in found:
        assert set(message) == {"at", "to", "kind", "items", "text"}
        assert isinstance(message["text"], str)
    prompt = next(m for m in found if m["kind"] == "prompt" and m["to"] == "社救科")
    assert prompt["at"] == "2022-06-21T09:00:00+08:00"
    items = prompt["items"]
    assert isinstance(items, list)
    assert {"task", "kind", "due", "action"} <= set(items[0])
    digest = next(m for m in found if m["kind"] == "digest")
    assert digest["to"] == "leadership"
    assert digest["at"] == "2022-06-20T09:00:00+08:00"
    # Nothing on the weekend, one prompt per unit per day.
    days = [(m["to"], str(m["at"])[:10]) for m in found if m["kind"] == "prompt"]
    assert len(days) == len(set(days))


def test_readable_view_by_day(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = simulate(capsys, "--from", "2022-06-23", "--to", "2022-06-23")
    assert status == 0
    assert "== 2022-06-23 6月23日（周四）" in out
    assert "-- 09:00 to 社救科 (prompt)" in out
    assert "   【督办提醒】社救科 · 6月23日（周四）" in out
    assert out.rstrip().endswith("message(s) from 2022-06-23 to 2022-06-23")


def test_answers_stop_prompts_after_done_and_move_them_after_extension(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    answers = tmp_path / "answers.txt"
    answers.write_text(
        "# a unit answers at noon\n"
        "2022-06-23 2.3 社救科 extension 2022-07-15 街道调整\n"
        "2022-06-24 approve 2.3 社救科\n"
        "2022-06-27 2.1 社救科 done 已印发\n"
        "2022-06-27 3.2 社会事务科 blocked 日照中心选址未定\n",
        encoding="utf-8",
    )
    args = ["--from", "2022-06-20", "--to", "2022-07-20", "--json", "--answers", str(answers)]
    status, out, _ = simulate(capsys, *args)
    assert status == 0
    found = lines(out)

    def about(task: str) -> list[tuple[str, object]]:
        return [
            (str(m["at"])[:10], i["due"])  # type: ignore[index]
            for m in found
            if m["kind"] == "prompt"
            for i in m["items"]  # type: ignore[attr-defined]
            if i["task"] == task and i["kind"] != "checkin"
        ]

    assert about("2.3") == [
        ("2022-06-23", "2022-06-30"),
        ("2022-07-01", "2022-07-15"),
        ("2022-07-08", "2022-07-15"),
        ("2022-07-12", "2022-07-15"),
        ("2022-07-14", "2022-07-15"),
        ("2022-07-15", "2022-07-15"),
        ("2022-07-18", "2022-07-15"),
    ]
    assert max(day for day, _ in about("2.1")) < "2022-06-27"
    kinds = {(m["kind"], str(m["at"])[:10]) for m in found}
    assert ("extension_request", "2022-06-23") in kinds
    assert ("extension_outcome", "2022-06-24") in kinds
    assert ("alert", "2022-06-27") in kinds
    escalations = [str(m["at"])[:10] for m in found if m["kind"] == "escalation"]
    assert escalations
    assert max(escalations) < "2022-06-27"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2022-06-20", "--to", "soon"], "--to"),
        (["--from", "2022-06-20", "--to", "2022-06-01"], "before"),
        (["--from", "2022-01-01", "--to", "2025-01-01"], "at most"),
    ],
)
def test_bad_options_are_errors(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    status, _, err = simulate(capsys, *args)
    assert status == 1
    assert message in err


def test_bad_answers_name_the_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    answers = tmp_path / "answers.txt"
    answers.write_text("2022-06-23 2.3 社救科 done\n2022-06-24 2.3 社救科 finished\n", "utf-8")
    status, _, err = simulate(
        capsys, "--from", "2022-06-20", "--to", "2022-06-24", "--answers", str(answers)
    )
    assert status == 1
    assert "answers line 2" in err


def test_simulate_on_a_given_database_keeps_its_rows(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'sim.db'}"
    status, out, err = simulate(
        capsys, "--from", "2022-06-23", "--to", "2022-06-23", "--json", "--db", url
    )
    assert status == 0
    assert lines(out)
    assert "no new messages" not in err
    assert (tmp_path / "sim.db").exists()
    # A second run on the same database sends nothing again: it is all in its outbox.
    status, out, err = simulate(
        capsys, "--from", "2022-06-23", "--to", "2022-06-23", "--json", "--db", url
    )
    assert status == 0
    assert lines(out) == []
    assert "no new messages from 2022-06-23 to 2022-06-23 on this ledger" in err


def test_unknown_year_runs_on_weekdays_and_an_override_file_sets_its_holidays(
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    plan = tmp_path / "plan-2027.txt"
    plan.write_text(
        default_plan_path().read_text(encoding="utf-8").replace("2022年", "2027年"), "utf-8"
    )
    monkeypatch.delenv("DUBAN_SETTINGS", raising=False)
    args = ["--from", "2027-09-27", "--to", "2027-10-10", "--json", "--plan", str(plan)]
    with caplog.at_level(logging.WARNING, logger="scheduler.workdays"):
        status, out, _ = simulate(capsys, *args)
    assert status == 0
    assert [r.getMessage() for r in caplog.records].count(
        "the official calendar for 2027 is not known to chinese-calendar; using Monday-Friday "
        "without holidays: set days_off and workdays in the holiday file (holiday_file in the "
        "settings)"
    ) == 1
    weekdays = {str(m["at"])[:10] for m in lines(out)}
    assert "2027-10-01" in weekdays  # a Friday: a workday on the Monday-Friday fallback

    (tmp_path / "holidays.toml").write_text(
        "days_off = [2027-10-01, 2027-10-04, 2027-10-05, 2027-10-06, 2027-10-07]\n"
        "workdays = [2027-10-09]\n",
        "utf-8",
    )
    (tmp_path / "duban.toml").write_text('holiday_file = "holidays.toml"\n', "utf-8")
    monkeypatch.setenv("DUBAN_SETTINGS", str(tmp_path / "duban.toml"))
    status, out, _ = simulate(capsys, *args)
    assert status == 0
    found = lines(out)
    days = {str(m["at"])[:10] for m in found}
    assert days.isdisjoint({"2027-10-01", "2027-10-04", "2027-10-05", "2027-10-06", "2027-10-07"})
    # 2.4's D-30 (1 October) moves back to 30 September; the week's digest to Friday 8th.
    assert any(
        str(m["at"])[:10] == "2027-09-30" and i["task"] == "2.4" and i["due"] == "2027-10-31"
        for m in found
        for i in m["items"]  # type: ignore[attr-defined]
    )
    assert any(m["kind"] == "digest" and str(m["at"])[:10] == "2027-10-08" for m in found)
