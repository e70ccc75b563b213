"""Plans of other offices, in the seed's style but never seen here (issue 14).

Each test writes a plan as an office would, in prose or as a table, with full-width or
half-width punctuation, and asserts what a careful reader writes down: tasks, owners,
milestones and targets.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from openpyxl import Workbook

from cli.main import main
from plan_data import load_plan
from plan_data.model import Milestone, Plan, Target
from plan_data.owners import split_unit_names
from plan_data.text_reader import read_text

Y = 2022

PROSE = """某区民政局2022年工作要点
一、兜底保障
（一）严格落实安全生产责任。建立健全安全生产责任追究制度。长年实施。
责任单位：综合办
（二）建设区殡仪服务中心。建设区殡仪服务中心，力争4月末完成图纸设计，5月上旬开工兴建，11月上旬完工交付使用。
责任单位：殡葬科
（三）修订困难群众救助办法。
责任单位：社救科、各县（市、区）政府等
完成时限：力争20*年11月末完成
（四）持续推进养老服务体系建设。新建养老服务驿站5家，新增养老床位150张，培训养老护理员2000人次，社区养老服务设施覆盖率不低于90%，实现街道社工站全覆盖。
责任单位：社会事务科
完成时限：6月中旬完成选址，下旬开工，12月底前全部建成
二、日常管理
（一）报送统计数据。
责任单位：各相关单位
完成时限：每月28日前报送
（二）开展专项整治。①1-3月份，开展摸底排查；②4-6月份，集中整治；③7-12月份，巩固提升。
责任单位：社区科（牵头）、各街道（涉农街道）
（三）落实新版实施细则。
责任单位：社救科
完成时限：细则印发之日起20个工作日内完成培训
（四）召开工作推进会。
责任单位：社区科
完成时限：3月4日（星期五）前
（五）完成社工站评估。
责任单位：社区科
完成时限：第二季度
（六）编制殡葬设施中长期规划。
责任单位：殡葬科
完成时限：到2025年底
（七）报送季度救助数据。
责任单位：社救科
完成时限：从第二季度起每季度第1个月20日前
"""

_HALF = str.maketrans({"，": ",", "。": ".", "；": ";", "：": ":", "（": "(", "）": ")"})
_WIDE = str.maketrans({str(d): chr(ord("０") + d) for d in range(10)})

UNITS = ("综合办", "殡葬科", "社救科", "各县（市、区）政府", "社会事务科", "社区科", "各街道")


def deadline(month: int, day: int, action: str | None = None, year: int = Y) -> Milestone:
    return Milestone("deadline", action, None, date(year, month, day))


def period(first: tuple[int, int], last: tuple[int, int], action: str | None = None) -> Milestone:
    return Milestone("period", action, date(Y, *first), date(Y, *last))


def prose_plan(variant: str) -> Plan:
    text = PROSE
    if variant == "half-width":
        text = text.translate(_HALF)
    elif variant == "full-width-digits":
        text = text.translate(_WIDE)
    return read_text(text)


@pytest.fixture(params=["full-width", "half-width", "full-width-digits"])
def prose(request: pytest.FixtureRequest) -> Plan:
    return prose_plan(request.param)


def brackets(text: str, plan: Plan) -> str:
    """Write a name's brackets as this variant of the plan writes them."""
    return text if "（" in plan.units[3] else text.translate(_HALF)


def test_prose_plan_tasks_and_owners(prose: Plan) -> None:
    assert prose.year == Y
    assert [t.id for t in prose.tasks] == [
        "1.1", "1.2", "1.3", "1.4", "2.1", "2.2", "2.3", "2.4", "2.5", "2.6", "2.7",
    ]
    assert prose.units == tuple(brackets(u, prose) for u in UNITS)
    task = {t.id: t for t in prose.tasks}
    assert task["1.4"].title == "持续推进养老服务体系建设"
    assert task["1.3"].units == ("社救科", brackets("各县（市、区）政府", prose))
    # 各相关单位: every unit of the plan, each noting the wording it came from.
    assert task["2.1"].units == prose.units
    assert {o.note for o in task["2.1"].owners} == {"各相关单位"}
    assert [(o.unit, o.role, o.note) for o in task["2.2"].owners] == [
        ("社区科", "lead", ""), ("各街道", "owner", "涉农街道"),
    ]


def test_prose_plan_milestones_as_a_careful_reader_writes_them(prose: Plan) -> None:
    task = {t.id: t for t in prose.tasks}
    # A deadline sentence after the task sentence.
    assert task["1.1"].milestones == (Milestone("ongoing", None, date(Y, 1, 1), None),)
    # Several dates in one body, each a milestone with its own action.
    assert task["1.2"].milestones == (
        deadline(4, 30, "完成图纸设计"), deadline(5, 10, "开工兴建"),
        deadline(11, 10, "完工交付使用"),
    )
    # A redacted year is the plan year.
    assert task["1.3"].milestones == (deadline(11, 30),)
    # 持续推进 in the title is no deadline; a bare 下旬 takes 6月 from the clause before.
    assert task["1.4"].milestones == (
        deadline(6, 20, "完成选址"), deadline(6, 30, "开工"), deadline(12, 31, "全部建成"),
    )
    monthly = task["2.1"].milestones
    assert [(m.action, m.end, m.series) for m in monthly[:2]] == [
        ("1月报送", date(Y, 1, 28), "每月28日前"), ("2月报送", date(Y, 2, 28), "每月28日前"),
    ]
    assert len(monthly) == 12
    assert task["2.2"].milestones == (
        period((1, 1), (3, 31), "开展摸底排查"), period((4, 1), (6, 30), "集中整治"),
        period((7, 1), (12, 31), "巩固提升"),
    )
    assert task["2.3"].milestones == (
        Milestone("event", "完成培训", None, None, event="细则印发", offset=20,
                  offset_unit="workdays"),
    )
    assert task["2.4"].milestones == (deadline(3, 4),)
    assert task["2.5"].milestones == (period((4, 1), (6, 30)),)
    assert task["2.6"].milestones == (deadline(12, 31, year=2025),)
    assert [(m.action, m.end) for m in task["2.7"].milestones] == [
        ("第2季度", date(Y, 4, 20)), ("第3季度", date(Y, 7, 20)), ("第4季度", date(Y, 10, 20)),
    ]


def test_prose_plan_targets(prose: Plan) -> None:
    targets = [(t.value, t.unit, t.what, t.kind) for t in prose.tasks[3].targets]
    assert targets == [
        (5, "家", "养老服务驿站", "count"),
        (150, "张", "养老床位", "count"),
        (2000, "人次", "养老护理员", "count"),
        (90, "%", "社区养老服务设施覆盖率", "share"),
        (100, "%", "街道社工站", "whole"),
    ]
    assert all(not t.targets for t in prose.tasks if t.id != "1.4")


def test_prose_plan_problems_are_the_other_year_only(prose: Plan) -> None:
    assert [(p.line, p.task_id) for p in prose.problems] == [(30, "2.6")]
    assert "deadline year 2025 is not the plan year 2022" in prose.problems[0].message


def test_the_three_variants_read_alike() -> None:
    def shape(plan: Plan) -> list[object]:
        return [(t.id, t.title, t.milestones, [(g.value, g.unit) for g in t.targets])
                for t in plan.tasks]

    full = shape(prose_plan("full-width"))
    assert shape(prose_plan("half-width")) == full
    assert shape(prose_plan("full-width-digits")) == full


def group_table_rows() -> list[list[str | int | None]]:
    return [
        ["重点任务", "序号", "具体措施", "主要责任单位", "协同配合单位", "时限要求"],
        ["（一）加强养老服务", 1, "新建养老服务驿站5家。优先选址在老旧小区。", "社会事务科",
         "各街道", "6月底前"],
        [None, 2, "新增养老床位150张", "社会事务科", "社区科", "12月底"],
        [None, 3, "开展老年人能力评估", "社会事务科", None, "每季度末"],
        ["（二）规范殡葬管理", 4, "建设区殡仪服务中心", "殡葬科", None,
         "力争4月末完成图纸设计，5月上旬开工兴建，11月上旬完工交付使用"],
        ["（二）规范殡葬管理", 5, "整治散埋乱葬", "殡葬科", "各街道", "持续推进"],
    ]


def assert_group_table(plan: Plan) -> None:
    assert plan.year == Y
    assert [(t.id, t.chapter, t.title) for t in plan.tasks] == [
        ("1.1", "加强养老服务", "新建养老服务驿站5家"),
        ("1.2", "加强养老服务", "新增养老床位150张"),
        ("1.3", "加强养老服务", "开展老年人能力评估"),
        ("2.1", "规范殡葬管理", "建设区殡仪服务中心"),
        ("2.2", "规范殡葬管理", "整治散埋乱葬"),
    ]
    first, beds, assessment, hall, burials = plan.tasks
    assert first.body == "优先选址在老旧小区。"
    assert [(o.unit, o.role) for o in first.owners] == [
        ("社会事务科", "lead"), ("各街道", "cooperating"),
    ]
    assert [(o.unit, o.role) for o in beds.owners] == [
        ("社会事务科", "lead"), ("社区科", "cooperating"),
    ]
    assert first.milestones == (deadline(6, 30),)
    assert beds.milestones == (deadline(12, 31),)
    assert [m.end for m in assessment.milestones] == [
        date(Y, 3, 31), date(Y, 6, 30), date(Y, 9, 30), date(Y, 12, 31),
    ]
    assert [m.action for m in hall.milestones] == ["完成图纸设计", "开工兴建", "完工交付使用"]
    assert burials.milestones == (Milestone("ongoing", None, date(Y, 1, 1), None),)
    assert first.targets == (Target(5, "家", "养老服务驿站", "新建养老服务驿站5家"),)
    assert beds.targets == (Target(150, "张", "养老床位", "新增养老床位150张"),)
    assert [h.title for h in plan.headings] == ["加强养老服务", "规范殡葬管理"]
    assert plan.problems == ()


def test_xlsx_table_whose_merged_first_column_groups_numbered_rows(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["某区民政局2022年重点工作任务分解表"])
    sheet.merge_cells("A1:F1")
    for row in group_table_rows():
        sheet.append(row)
    sheet.merge_cells("A3:A5")
    path = tmp_path / "plan.xlsx"
    book.save(str(path))
    assert_group_table(load_plan(path))


def test_docx_table_whose_first_column_repeats_over_numbered_rows(tmp_path: Path) -> None:
    document = Document()
    document.add_paragraph("某区民政局2022年重点工作任务分解表")
    rows = group_table_rows()
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            if value is not None:
                table.cell(r, c).text = str(value)
    table.cell(1, 0).merge(table.cell(3, 0)).text = "（一）加强养老服务"
    path = tmp_path / "plan.docx"
    document.save(str(path))
    assert_group_table(load_plan(path))


def test_a_grouped_table_under_chapters_gives_three_part_ids(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["序号", "重点工作", "工作措施", "责任部门", "完成时限"])
    sheet.append(["一、养老服务"])
    sheet.merge_cells("A2:E2")
    sheet.append([1, "助餐服务", "建设老人家食堂5家", "社会事务科", "6月底前"])
    sheet.append([2, "助餐服务", "开展助餐补贴发放", "社会事务科", "按月"])
    sheet.append([3, "日间照料", "新建日照中心4个", "社会事务科", "12月底"])
    path = tmp_path / "plan.xlsx"
    book.save(str(path))
    plan = load_plan(path, year=Y)
    assert [(t.id, t.chapter, t.group, t.title) for t in plan.tasks] == [
        ("1.1.1", "养老服务", "助餐服务", "建设老人家食堂5家"),
        ("1.1.2", "养老服务", "助餐服务", "开展助餐补贴发放"),
        ("1.2.1", "养老服务", "日间照料", "新建日照中心4个"),
    ]
    assert [h.id for h in plan.headings] == ["1", "1.1", "1.2"]
    assert len(plan.tasks[1].milestones) == 12


@pytest.mark.parametrize(
    ("owner_header", "deadline_header"),
    [("责任科室", "完成时限"), ("责任单位", "时限要求"), ("责任部门", "完成时间"),
     ("实施部门", "时间节点")],
)
def test_table_column_names_vary(
    tmp_path: Path, owner_header: str, deadline_header: str
) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["序号", "工作任务", owner_header, deadline_header])
    sheet.append([1, "开展社会组织年检", "社区科", "6月底前"])
    sheet.append([2, "开展社会组织年检", "社救科", "9月底前"])
    path = tmp_path / "plan.xlsx"
    book.save(str(path))
    first, second = load_plan(path, year=Y).tasks
    assert (first.units, first.milestones) == (("社区科",), (deadline(6, 30),))
    assert (second.units, second.milestones) == (("社救科",), (deadline(9, 30),))


def test_check_reports_each_unread_phrase_once_with_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "plan.txt"
    path.write_text(
        "2022年工作要点\n"
        "一、党建\n"
        "（一）思想建设（责任单位：综合办）\n"
        "完成时限：视情况而定\n"
        "1.学习。\n"
        "2.宣传。\n"
        "（二）作风建设。\n"
        "责任单位：综合办\n"
        "完成时限：看情况，6月底前\n"
        "（三）没有时限。内容。\n"
        "责任单位：综合办\n",
        encoding="utf-8",
    )
    assert main(["plan", "check", "--plan", str(path)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        'line 4: tasks 1.1.1, 1.1.2: unreadable deadline: "视情况而定"; due Dec 31 by default',
        'line 9: task 1.2: unreadable deadline: "看情况"',
        "line 10: task 1.3: no deadline: due Dec 31 by default",
        f"3 problem(s) in {path}",
    ]


def test_show_json_gives_series_and_event_keys_only_where_set(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "plan.txt"
    path.write_text(PROSE, encoding="utf-8")
    assert main(["plan", "show", "--plan", str(path), "--json"]) == 0
    tasks = {t["id"]: t for t in json.loads(capsys.readouterr().out)["tasks"]}
    assert tasks["2.1"]["milestones"][0] == {
        "kind": "deadline", "action": "1月报送", "start": None, "end": "2022-01-28",
        "series": "每月28日前", "interval_days": 30,
    }
    assert tasks["2.3"]["milestones"] == [{
        "kind": "event", "action": "完成培训", "start": None, "end": None,
        "event": "细则印发", "offset": 20, "offset_unit": "workdays",
    }]
    assert tasks["1.1"]["milestones"] == [
        {"kind": "ongoing", "action": None, "start": "2022-01-01", "end": None},
    ]
    assert tasks["1.4"]["targets"][0] == {
        "value": 5, "unit": "家", "what": "养老服务驿站", "text": "新建养老服务驿站5家",
        "kind": "count",
    }


def test_show_prints_series_events_and_targets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "plan.txt"
    path.write_text(PROSE, encoding="utf-8")
    assert main(["plan", "show", "--plan", str(path)]) == 0
    out = capsys.readouterr().out
    assert "deadline 2022-03-28 3月报送 (每月28日前)" in out
    assert "event 20 workdays after 细则印发 完成培训" in out
    assert "target 新建养老服务驿站5家" in out


@pytest.mark.parametrize(
    ("text", "units"),
    [
        ("各县（市、区）政府、区民政局", [("各县（市、区）政府", ""), ("区民政局", "")]),
        ("各县（市、区（含功能区））政府等", [("各县（市、区（含功能区））政府", "")]),
        ("各街道（涉农街道）、社区科等", [("各街道", "涉农街道"), ("社区科", "")]),
        ("相关街道（金钟、新立）", [("相关街道", "金钟、新立")]),
        ("各街道(乡镇)", [("各街道(乡镇)", "")]),
        ("社区科（负责社区工作者培训）等", [("社区科", "负责社区工作者培训")]),
    ],
)
def test_unit_values_as_written(text: str, units: list[tuple[str, str]]) -> None:
    assert [(u.name, u.note) for u in split_unit_names(text)] == units
