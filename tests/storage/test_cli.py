"""`duban report/status/invite/plan import`: results, and bad input that changes nothing."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from cli.main import main
from storage.database import Database
from storage.progress import count_entries
from tests.storage.helpers import edited_seed

CLOCK = "2022-06-20T09:00:00+08:00"


def count(url: str) -> int:
    async def run() -> int:
        db = await Database.connect(url)
        try:
            async with db.session(readonly=True) as session:
                return await count_entries(session)
        finally:
            await db.close()

    return asyncio.run(run())


def duban(url: str, *args: str) -> int:
    return main(["--db", url, "--clock", CLOCK, *args])


def test_report_then_status_json(database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    report = "report 2.3 --unit 社救 --status 遇到困难 --note 对方未回复 --percent 30"
    assert duban(database_url, *report.split(), "--at", "2022-06-19T15:00") == 0
    capsys.readouterr()
    assert duban(database_url, "status", "社救科", "--json") == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["unit"] == "社救科"
    assert len(shown["tasks"]) == 11
    row = next(t for t in shown["tasks"] if t["id"] == "2.3")
    assert row == {
        "id": "2.3",
        "unit": "社救科",
        "title": "创新社会救助方式",
        "light": "yellow",
        "status": "blocked",
        "note": "对方未回复",
        "updated_at": "2022-06-19T15:00:00+08:00",
        "next_due": "2022-06-30",
        "entries": 1,
        "reason": "困难：对方未回复",
        "flags": [],
        "silent_days": None,
        "paused": None,
        "signoff": None,
        # 30% of the whole task (2.3 has no quantitative target) on 6月20日, when 114 of the
        # 122 workdays up to its last deadline (6月30日) have gone: behind its pace, though
        # its light already says 困难.
        "progress": [{"what": "", "unit": "%", "target": None, "value": 30.0, "share": 0.3}],
        "pace": {
            "expected": 0.9344,
            "reported": 0.3,
            "behind": True,
            "from": "2022-01-01",
            "due": "2022-06-30",
        },
        "waiting": [],
    }


def test_extension_with_a_date_files_a_pending_request(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    report = "report 2.3 --unit 社救科 --status 申请延期 --date 8月31日 --note 对方未签字"
    assert duban(database_url, *report.split()) == 0
    assert "extension" in capsys.readouterr().out
    assert duban(database_url, "status", "社救科", "--json") == 0
    row = next(t for t in json.loads(capsys.readouterr().out)["tasks"] if t["id"] == "2.3")
    assert (row["status"], row["next_due"]) == ("extension", "2022-06-30")  # not yet approved


def test_the_later_of_two_reports_at_the_same_clock_is_the_latest(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    for status in ("blocked", "done", "in_progress", "done"):
        note = ["--note", "场地未落实"] if status == "blocked" else []
        command = ["report", "2.4", "--unit", "社救科", "--status", status, *note]
        assert duban(database_url, *command) == 0
        assert duban(database_url, "status", "社救科", "--json") == 0
        shown = json.loads(capsys.readouterr().out.split("\n", 1)[1])
        assert next(t for t in shown["tasks"] if t["id"] == "2.4")["status"] == status


def test_status_table_lists_every_row(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert duban(database_url, "status") == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 67
    assert out[-1].startswith("66 rows:")


def test_invite_prints_the_code_alone_on_the_last_line(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert duban(database_url, "invite", "社区") == 0
    assert duban(database_url, "invite", "--leadership") == 0
    lines = capsys.readouterr().out.splitlines()
    assert "社区科" in lines[0]
    assert "leadership" in lines[2]
    for code in (lines[1], lines[3]):
        assert len(code) == 9
        assert code[4] == "-"


def test_plan_import_reports_unchanged_plan(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert duban(database_url, "plan", "import") == 0
    assert "imported plan" in capsys.readouterr().out
    assert duban(database_url, "plan", "import") == 0
    assert "plan unchanged" in capsys.readouterr().out


def test_plan_import_of_an_edited_plan_archives_the_removed_task(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert duban(database_url, "report", "2.3", "--unit", "社救科", "--status", "done") == 0
    assert duban(database_url, "plan", "import", "--plan", str(edited_seed(tmp_path))) == 0
    assert "archived 2.3" in capsys.readouterr().out
    assert count(database_url) == 1
    assert duban(database_url, "status", "--json") == 0
    assert len(json.loads(capsys.readouterr().out)["tasks"]) == 65


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["report", "9.9", "--unit", "社救科", "--status", "done"], "unknown task '9.9'"),
        (
            ["report", "2.3", "--unit", "财务科", "--status", "done"],
            "unknown unit '财务科'; did you mean 社会事务科?",
        ),
        (["report", "2.3", "--unit", "社区科", "--status", "done"], "does not own task 2.3"),
        (["report", "2.3", "--unit", "社救科", "--status", "finished"], "unknown status"),
        (
            ["report", "2.3", "--unit", "社救科", "--status", "done", "--percent", "101"],
            "percent must be between 0 and 100",
        ),
        (
            ["report", "2.3", "--unit", "社救科", "--status", "done", "--percent", "-1"],
            "percent must be between 0 and 100",
        ),
        (
            ["report", "2.3", "--unit", "社救科", "--status", "done", "--at", "soon"],
            "--at must be an ISO date-time",
        ),
        (["report", "2.3", "--unit", "社救科", "--status", "extension"], "needs --date"),
        (
            ["report", "2.3", "--unit", "社救科", "--status", "申请延期", "--date", "某天"],
            "cannot read a date from '某天'",
        ),
        (
            ["report", "2.3", "--unit", "社救科", "--status", "extension", "--date", "2022-05-01"],
            "2022-05-01 is in the past",
        ),
        (["status", "财务科"], "unknown unit '财务科'"),
    ],
)
def test_bad_input_is_one_line_exit_1_and_writes_nothing(
    database_url: str, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert duban(database_url, "report", "2.3", "--unit", "社救科", "--status", "进行中") == 0
    capsys.readouterr()
    assert duban(database_url, *args) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("error: ")
    assert message in err
    assert count(database_url) == 1


def test_an_unreachable_database_is_named_without_its_password(
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = "postgresql://duban:s3cret@127.0.0.1:1/duban"
    assert duban(url, "status") == 1
    err = capsys.readouterr().err
    assert err.startswith("error: cannot open database postgresql://duban:***@127.0.0.1:1/duban")
    assert "s3cret" not in err
    assert err.count("\n") == 1


def test_an_option_the_driver_does_not_know_is_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert duban("postgresql://duban:s3cret@127.0.0.1:1/duban?colour=blue", "status") == 1
    err = capsys.readouterr().err
    assert err.startswith("error: cannot open database postgresql://duban:***@127.0.0.1:1/duban")
    assert "unsupported URL option" in err
    assert "s3cret" not in err
    assert err.count("\n") == 1
