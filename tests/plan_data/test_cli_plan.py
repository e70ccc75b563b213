"""`duban plan show` and `duban plan check` as a person runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli.main import main


def test_show_prints_a_table_of_the_seed(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "show"]) == 0
    out = capsys.readouterr().out
    assert "29 tasks" in out
    assert "2.3" in out
    assert "deadline 2022-06-30 完成协议签署" in out
    assert "period 2022-07-01..2022-12-31 实施服务" in out


def test_show_json_has_design_shape(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "show", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {"year", "title", "units", "tasks", "warnings"} <= data.keys()
    assert data["year"] == 2022
    assert data["units"][0] == "社救科"
    task = next(t for t in data["tasks"] if t["id"] == "2.3")
    keys = {"id", "chapter", "title", "body", "owners", "deadline_text", "milestones"}
    assert keys <= task.keys()
    assert task["owners"] == ["社救科"]
    assert task["milestones"] == [
        {"kind": "deadline", "action": "完成协议签署", "start": None, "end": "2022-06-30"},
        {"kind": "period", "action": "实施服务", "start": "2022-07-01", "end": "2022-12-31"},
    ]
    assert data["warnings"] == []
    centres = next(t for t in data["tasks"] if t["id"] == "3.2")
    assert centres["targets"] == [
        {"value": 4, "unit": "个", "what": "老年日照中心", "text": "新建老年日照中心4个",
         "kind": "count"},
        {"value": 150, "unit": "张", "what": "养老床位", "text": "新增养老床位150张",
         "kind": "count"},
    ]


def test_check_passes_on_the_seed(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "check"]) == 0
    assert capsys.readouterr().out.startswith("ok: 29 tasks, 7 units, year 2022")


def test_check_lists_problems_with_line_numbers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "plan.txt"
    path.write_text(
        "2022年工作要点\n一、章\n（一）无人负责。\n完成时限：12月底\n"
        "（二）甲。\n责任科室：社救科\n完成时限：12月底\n"
        "（三）乙。\n责任科室：社救科\n完成时限：12月底\n"
        "（四）丙。\n责任科室：社保科\n完成时限：12月底\n",
        encoding="utf-8",
    )
    assert main(["plan", "check", "--plan", str(path)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "line 3: task 1.1 has no owners: 无人负责"
    assert lines[1] == "line 11: task 1.4: unknown unit '社保科'; did you mean 社救科?"
    assert lines[-1].startswith("2 problem(s)")


def test_check_with_a_units_list_flags_other_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "plan.txt"
    text = "2022年\n一、章\n（一）甲。\n责任科室：社区\n完成时限：12月底\n"
    path.write_text(text, encoding="utf-8")
    assert main(["plan", "check", "--plan", str(path), "--units", "社区科,社救科"]) == 1
    assert "line 3: task 1.1: unknown unit '社区'; did you mean 社区科?" in capsys.readouterr().out


def test_missing_file_is_one_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope.txt"
    assert main(["plan", "check", "--plan", str(missing)]) == 1
    err = capsys.readouterr().err
    assert err == f"error: plan file not found: {missing}\n"


def test_year_is_required_when_the_text_lacks_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "plan.txt"
    path.write_text("一、章\n（一）甲。\n责任科室：社区科\n完成时限：12月底\n", encoding="utf-8")
    assert main(["plan", "show", "--plan", str(path)]) == 1
    assert capsys.readouterr().err == "error: cannot tell the plan year; pass --year\n"
    assert main(["plan", "show", "--plan", str(path), "--year", "2023", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["year"] == 2023


@pytest.mark.parametrize("year", ["99999", "-1", "1800"])
def test_an_impossible_year_is_one_line(year: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "show", "--year", year]) == 1
    assert capsys.readouterr().err == (
        f"error: plan year must be between 1900 and 2100, not {year}\n"
    )


def test_a_file_without_tasks_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("会议纪要\n", encoding="utf-8")
    assert main(["plan", "show", "--plan", str(path)]) == 1
    assert capsys.readouterr().err == f"error: no tasks found in plan file {path}\n"


def test_check_reports_unreadable_and_missing_deadlines_on_their_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "plan.txt"
    path.write_text(
        "2022年工作要点\n一、章\n（一）甲。\n责任科室：社区科\n完成时限：看情况再说\n"
        "（二）乙。内容。\n责任科室：社区科\n",
        encoding="utf-8",
    )
    assert main(["plan", "check", "--plan", str(path)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert any(line.startswith("line 5: task 1.1: unreadable deadline") for line in lines)
    assert any(line.startswith("line 6: task 1.2: no deadline") for line in lines)
