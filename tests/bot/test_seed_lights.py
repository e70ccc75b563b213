"""Issue 11's must-show: the seed plan on 6月23日 with an empty ledger, in every view.

On Thursday 2022-06-23 exactly one open deadline has passed (2.1 社救科 印发文件, 1月31日) and
exactly one falls within the 7-day warning window (2.3 社救科 完成协议签署, 6月30日); every
other (task, unit) row is open and on track. So 🔴 1, 🟡 1, 🟢 64 of 66, in leadership's
/status, a unit's /status, `duban status --json` and the 台账's 灯 column alike; the digest
(as of the week's first workday) counts the same one row overdue.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import openpyxl
import pytest

from cli.main import main
from reports.xlsx_sheets import LEDGER_SHEET
from tests.bot.harness import Harness, text_of

CLOCK = "2022-06-23T10:00:00+08:00"
RED = {("2.1", "社救科")}
YELLOW = {("2.3", "社救科")}


async def test_status_in_chat_shows_one_red_one_yellow(harness: Harness) -> None:
    lead = await harness.bound("局领导群", "李局长", None)
    bureau = text_of(await harness.say(lead, "/status", expect="全局 66 项"))
    assert "🔴 逾期 1 · 🟡 预警 1 · 🟢 正常 64 · ✅ 办结 0" in bureau.splitlines()
    assert "社救科 11项：🔴 逾期 1 · 🟡 预警 1 · 🟢 正常 9 · ✅ 办结 0" in bureau.splitlines()
    for unit, rows in [("社区科", 15), ("社会事务科", 11), ("综合办", 7)]:
        assert f"{unit} {rows}项：🔴 逾期 0 · 🟡 预警 0 · 🟢 正常 {rows} · ✅ 办结 0" in bureau

    unit = await harness.bound("社救科工作群", "王科长", "社救科")
    mine = text_of(await harness.say(unit, "/status", expect="社救科 · 11项")).splitlines()
    assert "🔴 2.1 构建综合救助格局 · 逾期 1月31日 · 尚无进展" in mine
    assert "🟡 2.3 创新社会救助方式 · 临近 6月30日 · 尚无进展" in mine
    assert sum(line.startswith("🟢") for line in mine) == 9


def _duban(url: str, *args: str) -> int:
    return main(["--db", url, "--clock", CLOCK, *args])


def test_status_json_the_ledger_and_the_digest_agree(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _duban(sqlite_url, "status", "--json") == 0
    rows = json.loads(capsys.readouterr().out)["tasks"]
    lights = Counter(r["light"] for r in rows)
    assert lights == {"red": 1, "yellow": 1, "green": 64}
    assert {(r["id"], r["unit"]) for r in rows if r["light"] == "red"} == RED
    assert {(r["id"], r["unit"]) for r in rows if r["light"] == "yellow"} == YELLOW
    assert {r["reason"] for r in rows if r["light"] != "green"} == {"逾期 1月31日", "临近 6月30日"}

    target = tmp_path / "台账.xlsx"
    assert _duban(sqlite_url, "export", "--xlsx", str(target)) == 0
    sheet = openpyxl.load_workbook(target)[LEDGER_SHEET]
    header = [c.value for c in sheet[1]]
    found = [dict(zip(header, r, strict=True)) for r in sheet.iter_rows(2, values_only=True)]
    assert Counter(r["灯"] for r in found) == {"红": 1, "黄": 1, "绿": 64}
    assert {(r["任务编号"], r["责任科室"]) for r in found if r["灯"] == "红"} == RED
    assert {(r["任务编号"], r["责任科室"]) for r in found if r["灯"] == "黄"} == YELLOW
    capsys.readouterr()

    assert _duban(sqlite_url, "digest", "--json") == 0
    digest = json.loads(capsys.readouterr().out)
    assert digest["totals"]["rows"] == 66
    assert digest["totals"]["overdue"] == 1
    assert {(o["task"], o["unit"]) for o in digest["overdue"]} == RED
    assert {(d["task"], d["unit"]) for d in digest["due_soon"]} >= YELLOW
