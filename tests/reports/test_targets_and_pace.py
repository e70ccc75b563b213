"""Issue 14 on the seed plan: targets in the ledger, progress read from reports, and 序时进度.

On Monday 7月4日 2022, 124 of the year's 249 workdays have gone (1月1日 to 7月4日, today
counted, on the official calendar): the pace of a task due 12月31日 is 49.8%, shown as
`序时进度 50%`. 3.1's `已建成3家` is 3/5 = 60%, ahead of it; 3.2's `新增床位60张` is 60/150 =
40%, 9.8 points behind, inside the 15-point margin: both stay 🟢. 3.2's `新增床位30张` (20%) is
29.8 points behind: 🟡 with the reason 滞后序时进度, the same in `status --json`, the digest and
the 台账.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import openpyxl
import pytest

from cli.main import main
from plan_data import default_plan_path
from reports.xlsx_sheets import LEDGER_SHEET
from storage.bootstrap import open_ledger
from storage.plans import import_plan, task_by_id
from tests.conftest import LEDGER_NOW

MONDAY = "2022-07-04T09:00:00+08:00"
EARLY = "2022-07-04T08:30:00+08:00"  # before the week's digest (09:00), so it counts there
PACE = 124 / 249


def duban(url: str, *args: str, clock: str = MONDAY) -> int:
    return main(["--db", url, "--clock", clock, *args])


def report(url: str, task: str, note: str) -> None:
    command = ["report", task, "--unit", "社会事务科", "--status", "进行中", "--note", note]
    assert duban(url, *command, "--at", EARLY, clock=EARLY) == 0


def targets_of(url: str, task_id: str) -> list[tuple[float, str, str]]:
    async def run() -> list[tuple[float, str, str]]:
        db = await open_ledger(url, default_plan_path(), LEDGER_NOW)
        try:
            async with db.session(readonly=True) as session:
                task = await task_by_id(session, task_id)
        finally:
            await db.close()
        return [(t.target.value, t.target.unit, t.target.what) for t in task.targets]

    return asyncio.run(run())


def test_seed_targets_are_in_the_ledger_after_import(database_url: str) -> None:
    assert targets_of(database_url, "3.1") == [(5, "家", "老人家食堂")]
    assert targets_of(database_url, "3.2") == [(4, "个", "老年日照中心"), (150, "张", "养老床位")]
    assert targets_of(database_url, "2.3") == []


def test_importing_the_same_plan_again_keeps_the_target_rows(database_url: str) -> None:
    async def run() -> tuple[list[int], list[int], bool]:
        db = await open_ledger(database_url, default_plan_path(), LEDGER_NOW)
        try:
            async with db.session() as session:
                before = [t.id for t in (await task_by_id(session, "3.2")).targets]
            async with db.session() as session:
                from plan_data import load_plan

                again = await import_plan(session, load_plan(default_plan_path()), LEDGER_NOW)
            async with db.session() as session:
                after = [t.id for t in (await task_by_id(session, "3.2")).targets]
        finally:
            await db.close()
        return before, after, again.changed

    before, after, changed = asyncio.run(run())
    assert not changed
    assert before == after
    assert len(after) == 2


def _status(url: str, capsys: pytest.CaptureFixture[str]) -> dict[str, dict[str, object]]:
    capsys.readouterr()
    assert duban(url, "status", "社会事务科", "--json") == 0
    return {row["id"]: row for row in json.loads(capsys.readouterr().out)["tasks"]}


def _digest(url: str, capsys: pytest.CaptureFixture[str], *flags: str) -> str:
    capsys.readouterr()
    assert duban(url, "digest", "--week-of", "2022-07-04", *flags) == 0
    return capsys.readouterr().out


def _ledger(url: str, tmp_path: Path) -> dict[str, tuple[object, ...]]:
    path = tmp_path / "台账.xlsx"
    assert duban(url, "export", "--xlsx", str(path)) == 0
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        header, *rows = book[LEDGER_SHEET].iter_rows(values_only=True)
    finally:
        book.close()
    assert header[-1] == "目标进度"
    return {str(r[1]): r for r in rows if r[3] == "社会事务科"}


def test_reports_on_july_4_show_3_of_5_and_60_of_150_on_pace_everywhere(
    database_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    report(database_url, "3.1", "已建成3家")
    report(database_url, "3.2", "新增床位60张")

    status = _status(database_url, capsys)
    first, second = status["3.1"], status["3.2"]
    assert first["progress"] == [
        {"what": "老人家食堂", "unit": "家", "target": 5.0, "value": 3.0, "share": 0.6}
    ]
    assert second["progress"] == [
        {"what": "养老床位", "unit": "张", "target": 150.0, "value": 60.0, "share": 0.4}
    ]
    for row, reported in ((first, 0.6), (second, 0.4)):
        assert row["pace"] == {
            "expected": round(PACE, 4),  # 0.498
            "reported": reported,
            "behind": False,
            "from": "2022-01-01",
            "due": "2022-12-31",
        }
        assert (row["light"], row["reason"]) == ("green", None)

    text = _digest(database_url, capsys)
    assert "🟢 社会事务科 3.1 推进助餐服务提标扩面 · 老人家食堂 3/5家（序时进度 50%）" in text
    assert "🟢 社会事务科 3.2 推进社区养老设施建设 · 养老床位 60/150张（序时进度 50%）" in text
    assert "滞后序时进度：无" in text
    data = json.loads(_digest(database_url, capsys, "--json"))
    assert [(p["task"], p["progress"], p["behind"]) for p in data["progress"]] == [
        ("3.1", "老人家食堂 3/5家", False),
        ("3.2", "养老床位 60/150张", False),
    ]
    assert data["behind_pace"] == []

    ledger = _ledger(database_url, tmp_path)
    assert ledger["3.1"][-1] == "老人家食堂 3/5家（序时进度 50%）"
    assert ledger["3.2"][-1] == "养老床位 60/150张（序时进度 50%）"
    assert (ledger["3.1"][9], ledger["3.2"][9]) == ("绿", "绿")


def test_a_unit_behind_its_pace_is_yellow_in_status_json_digest_and_ledger_alike(
    database_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    report(database_url, "3.1", "已建成3家")
    report(database_url, "3.2", "新增床位30张")  # 20% against 49.8%: 29.8 points behind

    status = _status(database_url, capsys)
    assert (status["3.2"]["light"], status["3.2"]["reason"]) == ("yellow", "滞后序时进度")
    assert status["3.2"]["pace"]["behind"] is True  # type: ignore[index]
    assert (status["3.1"]["light"], status["3.1"]["reason"]) == ("green", None)

    text = _digest(database_url, capsys)
    assert "🟡 社会事务科 3.2 推进社区养老设施建设 · 养老床位 30/150张（序时进度 50%）" in text
    assert "滞后序时进度\n社会事务科：3.2 养老床位 30/150张（序时进度 50%）" in text
    data = json.loads(_digest(database_url, capsys, "--json"))
    assert [(b["task"], b["unit"], b["behind"]) for b in data["behind_pace"]] == [
        ("3.2", "社会事务科", True)
    ]

    ledger = _ledger(database_url, tmp_path)
    assert ledger["3.2"][9:] == (
        "黄",
        ledger["3.2"][10],
        "滞后序时进度",
        "养老床位 30/150张（序时进度 50%）",
    )
    # The same lights everywhere: every row of the unit, in status --json and the 台账.
    assert {task: (row["light"]) for task, row in status.items()} == {
        task: {"绿": "green", "黄": "yellow", "红": "red", "办结": "done"}[str(row[9])]
        for task, row in ledger.items()
    }


def test_a_later_report_replaces_a_targets_progress_and_days_can_count_instead(
    database_url: str,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    report(database_url, "3.2", "新增床位30张")
    report(database_url, "3.2", "日照中心建成2个，新增床位90张")
    status = _status(database_url, capsys)
    assert [(p["what"], p["value"]) for p in status["3.2"]["progress"]] == [  # type: ignore[union-attr]
        ("老年日照中心", 2.0),
        ("养老床位", 90.0),
    ]
    # The lowest of the two (50% of the 日照中心) is what the pace weighs.
    assert status["3.2"]["pace"]["reported"] == 0.5  # type: ignore[index]
    assert status["3.2"]["light"] == "green"

    days = tmp_path / "days.toml"
    days.write_text('pace_count = "days"\npace_margin = 0\n', encoding="utf-8")
    monkeypatch.setenv("DUBAN_SETTINGS", str(days))
    rows = _status(database_url, capsys)
    # 185 of 365 days: 50.7%, just ahead of the 日照中心's 50% with no margin.
    assert rows["3.2"]["pace"]["expected"] == round(185 / 365, 4)  # type: ignore[index]
    assert (rows["3.2"]["light"], rows["3.2"]["reason"]) == ("yellow", "滞后序时进度")
