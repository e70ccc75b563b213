"""The text reader on the ways offices write their plans."""

from __future__ import annotations

from datetime import date

import pytest

from plan_data.model import Plan
from plan_data.read_errors import PlanYearUnknown
from plan_data.text_reader import read_text


def plan(text: str, year: int | None = 2022) -> Plan:
    return read_text(text, year)


def test_labels_in_a_bracket_after_the_task_sentence_keep_roles_apart() -> None:
    parsed = plan(
        "一、稳定预期\n"
        "（一）提振市场信心。加强宣传引导。（牵头单位：发改委、商务局；责任单位：各县（市、区）；"
        "配合单位：统计局等）\n"
        "完成时限：12月底\n"
    )
    (task,) = parsed.tasks
    assert task.title == "提振市场信心"
    assert task.body == "加强宣传引导。"
    assert [(o.unit, o.role) for o in task.owners] == [
        ("发改委", "lead"),
        ("商务局", "lead"),
        ("各县（市、区）", "owner"),
        ("统计局", "cooperating"),
    ]
    assert parsed.units == ("发改委", "商务局", "各县（市、区）", "统计局")


@pytest.mark.parametrize(
    ("owner_line", "units"),
    [
        ("责任科室：社救科、社区科", ("社救科", "社区科")),
        ("责任单位：社救科，社区科", ("社救科", "社区科")),
        ("责任部门: 社救科,社区科", ("社救科", "社区科")),
        ("实施部门：社救科；社区科", ("社救科", "社区科")),
        ("责任科室：社救科 社区科", ("社救科", "社区科")),
        ("责任单位：市场 监管局、社区科", ("市场监管局", "社区科")),
        ("责任科室：社救科和社区科", ("社救科", "社区科")),
        ("责任科室：社救科及社区科等", ("社救科", "社区科")),
        ("责任单位：住房和城乡建设委、社区科", ("住房和城乡建设委", "社区科")),
        ("牵头单位：社救科\n配合单位：社区科", ("社救科", "社区科")),
        ("责任科室：社救科（牵头）、社区科", ("社救科", "社区科")),
        ("责任单位：社救科牵头，社区科配合", ("社救科", "社区科")),
    ],
)
def test_owner_labels_and_separators(owner_line: str, units: tuple[str, ...]) -> None:
    parsed = plan(f"一、章\n（一）任务甲。内容。\n{owner_line}\n完成时限：12月底\n")
    assert parsed.tasks[0].units == units


def test_lead_and_cooperating_roles_from_their_own_lines() -> None:
    parsed = plan(
        "一、章\n（一）任务。\n牵头单位：社救科（牵头）\n配合单位：社区科\n完成时间：12月底\n"
    )
    assert [(o.unit, o.role) for o in parsed.tasks[0].owners] == [
        ("社救科", "lead"),
        ("社区科", "cooperating"),
    ]


@pytest.mark.parametrize("deadline_label", ["完成时限", "完成时间", "时限要求", "时间节点"])
def test_deadline_labels(deadline_label: str) -> None:
    parsed = plan(f"一、章\n（一）任务。\n责任科室：社区科\n{deadline_label}：6月底前\n")
    assert parsed.tasks[0].deadline_text == "6月底前"
    assert parsed.tasks[0].milestones[-1].end == date(2022, 6, 30)


def test_owner_and_deadline_labels_on_one_line() -> None:
    parsed = plan("一、章\n（一）任务。内容。责任科室：社区科；完成时限：12月底\n")
    (task,) = parsed.tasks
    assert task.units == ("社区科",)
    assert task.deadline_text == "12月底"
    assert task.body == "内容。"


def test_collective_owner_means_every_concrete_unit_of_the_plan() -> None:
    parsed = plan(
        "一、章\n（一）甲。\n责任科室：全局各科室\n完成时限：持续推进\n"
        "（二）乙。\n责任科室：社区科\n完成时限：12月底\n"
        "（三）丙。\n责任科室：殡葬科、各单位\n完成时限：12月底\n"
    )
    assert parsed.units == ("社区科", "殡葬科")
    assert parsed.tasks[0].units == ("社区科", "殡葬科")
    assert parsed.tasks[2].units == ("殡葬科", "社区科")


@pytest.mark.parametrize(
    "line",
    ["（2）任务。", "(3)任务。", "（十二）任务。", "  （一）任务。", "\u3000\u3000（一）任务。"],
)
def test_task_markers_in_any_bracket_numeral_or_indent(line: str) -> None:
    parsed = plan(f"一、章\n{line}\n责任科室：社区科\n完成时限：12月底\n")
    assert [t.id for t in parsed.tasks] == ["1.1"]
    assert parsed.tasks[0].title == "任务"


def test_ids_are_positional_when_numbering_restarts_runs_on_or_breaks() -> None:
    parsed = plan(
        "一、甲\n（一）a。\n责任科室：社区科\n（5）b。\n责任科室：社区科\n"
        "二、乙\n（三）c。\n责任科室：社区科\n（一）d。\n责任科室：社区科\n",
    )
    assert [t.id for t in parsed.tasks] == ["1.1", "1.2", "2.1", "2.2"]
    assert [t.title for t in parsed.tasks] == ["a", "b", "c", "d"]


@pytest.mark.parametrize("digit", ["1.", "1、", "1．", " 1. "])
def test_arabic_task_markers(digit: str) -> None:
    parsed = plan(f"一、章\n{digit}持续推进反垄断工作。\n责任单位：市场监管局\n完成时限：12月底\n")
    (task,) = parsed.tasks
    assert task.title == "持续推进反垄断工作"
    assert task.deadline_text == "12月底"


def test_three_levels_give_three_part_ids_and_groups_pass_labels_down() -> None:
    parsed = plan(
        "2022年工作要点\n"
        "一、党建\n"
        "（一）思想建设\n"
        "1.学习。\n责任科室：社区科\n完成时限：持续推进\n"
        "2.宣传。\n责任科室：社救科\n完成时限：12月底\n"
        "（二）作风建设（牵头单位：综合办）\n"
        "1、纠四风。\n完成时限：12月底\n"
        "二、救助\n"
        "（一）救助\n"
        "1.低保。\n责任科室：社救科\n完成时限：12月底\n"
        "2.特困。\n责任科室：社救科\n完成时限：12月底\n"
    )
    assert [t.id for t in parsed.tasks] == ["1.1.1", "1.1.2", "1.2.1", "2.1.1", "2.1.2"]
    assert parsed.tasks[0].group == "思想建设"
    assert parsed.tasks[2].group == "作风建设"
    assert [(o.unit, o.role) for o in parsed.tasks[2].owners] == [("综合办", "lead")]
    assert [h.id for h in parsed.headings] == ["1", "1.1", "1.2", "2", "2.1"]


def test_a_notice_before_the_plan_is_its_title_and_intro_not_a_task() -> None:
    parsed = read_text(
        "关于印发《东丽区民政局2023年工作要点》的通知\n"
        "各科室、单位：\n"
        "现将《东丽区民政局2023年工作要点》印发给你们，请结合实际认真贯彻落实。\n"
        "东丽区民政局2023年工作要点\n"
        "一、章\n（一）任务。\n责任科室：社区科\n完成时限：12月底\n"
    )
    assert parsed.year == 2023
    assert parsed.title == "东丽区民政局2023年工作要点"
    assert "现将" in parsed.intro
    assert [t.id for t in parsed.tasks] == ["1.1"]
    assert parsed.units == ("社区科",)


def test_year_from_the_text_or_given_or_refused() -> None:
    text = "一、章\n（一）任务。\n责任科室：社区科\n完成时限：12月底\n"
    assert read_text("2021年是建党100周年。\n" + text).year == 2021
    assert read_text(text, 2024).year == 2024
    with pytest.raises(PlanYearUnknown, match="cannot tell the plan year; pass --year"):
        read_text(text)


def test_deadline_sentence_in_the_body_when_there_is_no_label() -> None:
    parsed = plan(
        "一、章\n（一）建设场馆。力争4月末完成图纸设计，5月上旬开工兴建。\n责任科室：社区科\n"
    )
    task = parsed.tasks[0]
    assert "4月末完成图纸设计" in task.deadline_text
    assert task.milestones[0].end == date(2022, 4, 30)


def test_deadline_phrase_in_a_title_is_not_a_deadline() -> None:
    parsed = plan("一、章\n5.持续推进反垄断工作。\n责任科室：社区科\n完成时限：6月底\n")
    task = parsed.tasks[0]
    assert task.title == "持续推进反垄断工作"
    assert task.milestones[0].end == date(2022, 6, 30)


def test_a_task_without_any_deadline_is_due_at_year_end_with_a_warning() -> None:
    parsed = plan("一、章\n（一）任务。内容。\n责任科室：社区科\n")
    task = parsed.tasks[0]
    assert task.deadline_text == ""
    assert [(m.kind, m.end) for m in task.milestones] == [("deadline", date(2022, 12, 31))]
    assert [(p.line, p.task_id) for p in parsed.problems] == [(2, "1.1")]


def test_a_task_without_owners_is_a_problem_on_its_marker_line() -> None:
    parsed = plan("一、章\n\n（一）任务。\n完成时限：12月底\n")
    assert [(p.line, p.message) for p in parsed.problems] == [(3, "task 1.1 has no owners")]


def test_uninterpretable_text_is_kept_verbatim_with_its_line() -> None:
    parsed = plan(
        "一、章\n①说明文字。\n（一）任务。\n责任科室：社区科\n完成时限：12月底\n备注：另行通知\n"
    )
    kept = [(p.line, p.text) for p in parsed.problems]
    assert kept == [(2, "①说明文字。"), (6, "备注：另行通知")]


def test_running_text_under_a_chapter_heading_is_its_introduction() -> None:
    parsed = plan(
        "一、总体要求\n以新思想为指导。\n坚持稳中求进。\n"
        "二、重点任务\n围绕大局。\n（一）任务。\n责任科室：社区科\n完成时限：12月底\n"
    )
    assert parsed.problems == ()
    assert [(h.id, h.title, h.intro) for h in parsed.headings] == [
        ("1", "总体要求", "以新思想为指导。坚持稳中求进。"),
        ("2", "重点任务", "围绕大局。"),
    ]
    assert [t.id for t in parsed.tasks] == ["2.1"]


def test_half_width_punctuation_and_stray_spaces() -> None:
    parsed = plan("一. 章\n( 一 ) 任务 甲。内容\n责任科室 : 社区科 , 社救科\n完成时限 : 12月底 \n")
    (task,) = parsed.tasks
    assert task.title == "任务 甲"
    assert task.units == ("社区科", "社救科")
    assert task.deadline_text == "12月底"


def test_crlf_and_bom_read_like_plain_text() -> None:
    text = "一、章\n（一）任务。\n责任科室：社区科\n完成时限：12月底\n"
    assert plan("\ufeff" + text.replace("\n", "\r\n")) == plan(text)


def test_a_marker_line_without_full_stop_is_the_title_of_the_next_lines() -> None:
    parsed = plan(
        "一、章\n（一）推进助餐服务\n建设食堂5家。扩大覆盖。\n责任科室：社区科\n完成时限：12月底\n"
    )
    (task,) = parsed.tasks
    assert (task.title, task.body) == ("推进助餐服务", "建设食堂5家。扩大覆盖。")


def test_text_without_any_marker_has_no_tasks() -> None:
    assert read_text("这是一段说明，没有任何任务。\n").tasks == ()


def test_a_plan_numbered_only_with_chapter_markers_reads_them_as_tasks() -> None:
    parsed = plan("一、甲。\n责任科室：社区科\n完成时限：12月底\n二、乙。\n责任科室：社救科\n")
    assert [(t.id, t.title, t.units) for t in parsed.tasks] == [
        ("1.1", "甲", ("社区科",)),
        ("1.2", "乙", ("社救科",)),
    ]


def test_without_chapter_markers_the_outer_numbering_gives_the_chapters() -> None:
    parsed = plan(
        "（一）救助\n1.低保。\n责任科室：社救科\n2.特困。\n责任科室：社救科\n"
        "（二）社区\n1.自治。\n责任科室：社区科\n"
    )
    assert [(t.id, t.chapter) for t in parsed.tasks] == [
        ("1.1", "救助"),
        ("1.2", "救助"),
        ("2.1", "社区"),
    ]


def test_numbered_sub_items_of_a_task_sentence_stay_in_its_body() -> None:
    parsed = plan(
        "一、章\n（一）加强基础工作。主要包括：\n1.公文管理；\n2.档案管理。\n"
        "责任科室：综合办\n完成时限：12月底\n"
        "（二）思想建设\n1.学习。\n责任科室：社区科\n2.宣传。\n责任科室：社救科\n"
    )
    assert [(t.id, t.title, t.units) for t in parsed.tasks] == [
        ("1.1", "加强基础工作", ("综合办",)),
        ("1.2.1", "学习", ("社区科",)),
        ("1.2.2", "宣传", ("社救科",)),
    ]
    assert parsed.tasks[0].body == "主要包括：1.公文管理；2.档案管理。"
    assert parsed.tasks[0].part_lines == (3, 4)


def test_written_out_roles_after_unit_names() -> None:
    parsed = plan(
        "一、章\n（一）任务。\n责任单位：社救科牵头，社区科、各街道配合\n完成时限：12月底\n"
    )
    assert [(o.unit, o.role) for o in parsed.tasks[0].owners] == [
        ("社救科", "lead"),
        ("社区科", "owner"),
        ("各街道", "cooperating"),
    ]


def test_every_unit_wording_in_a_plan_without_named_units_is_a_problem() -> None:
    parsed = plan("一、章\n（一）任务。\n责任科室：各科室\n完成时限：12月底\n")
    assert [p.message for p in parsed.problems] == [
        "task 1.1: '各科室' means every unit, but the plan names none"
    ]
