"""The text reader on the seed plan and on the ways other offices write theirs."""

from __future__ import annotations

from datetime import date

import pytest

from plan_data import default_plan_path, load_plan
from plan_data.model import Milestone, Plan
from plan_data.read_errors import PlanYearUnknown
from plan_data.text_reader import read_text

SEED_UNITS = ("社救科", "社区科", "社会事务科", "救助管理站", "殡葬科", "婚姻科", "综合办")


@pytest.fixture(scope="module")
def seed() -> Plan:
    return load_plan(default_plan_path())


def test_seed_has_29_tasks_in_7_chapters(seed: Plan) -> None:
    assert seed.year == 2022
    assert len(seed.tasks) == 29
    assert len({task.chapter for task in seed.tasks}) == 7
    assert [h.id for h in seed.headings] == [str(n) for n in range(1, 8)]
    assert [t.id for t in seed.tasks[:6]] == ["1.1", "1.2", "1.3", "1.4", "2.1", "2.2"]
    assert seed.tasks[-1].id == "7.3"
    assert seed.problems == ()


def test_seed_units_in_order_of_first_appearance(seed: Plan) -> None:
    assert seed.units == SEED_UNITS


def test_seed_has_66_task_unit_rows(seed: Plan) -> None:
    assert sum(len(task.owners) for task in seed.tasks) == 66


def test_seed_every_unit_wording_gives_all_seven_units(seed: Plan) -> None:
    task = seed.task("1.1")
    assert task is not None
    assert task.units == SEED_UNITS
    assert [(m.kind, m.start, m.end) for m in task.milestones] == [
        ("ongoing", date(2022, 1, 1), None)
    ]


def test_seed_shared_task_has_both_owners(seed: Plan) -> None:
    task = seed.task("2.5")
    assert task is not None
    assert task.units == ("社救科", "社区科")


def test_seed_titles_bodies_and_marker_lines(seed: Plan) -> None:
    task = seed.task("1.2")
    assert task is not None
    assert task.title == "深入学习宣传贯彻党的二十大精神"
    assert task.body.startswith("按照中央和市区委部署要求")
    assert task.line == 6
    assert task.chapter == "始终保持民政事业发展的正确政治方向"
    indented = seed.task("3.2")
    assert indented is not None
    assert indented.title == "推进社区养老设施建设"
    bracketed = seed.task("3.5")
    assert bracketed is not None
    assert "（消防、燃气、房屋、用电）" in bracketed.body


def test_seed_agreement_deadline_then_service_period(seed: Plan) -> None:
    task = seed.task("2.3")
    assert task is not None
    assert task.deadline_text == "6月底前完成协议签署，下半年实施服务"
    assert task.milestones == (
        Milestone("deadline", "完成协议签署", None, date(2022, 6, 30)),
        Milestone("period", "实施服务", date(2022, 7, 1), date(2022, 12, 31)),
    )


def test_seed_document_deadline_then_year_long_period(seed: Plan) -> None:
    task = seed.task("2.1")
    assert task is not None
    deadline, period = task.milestones
    assert (deadline.kind, deadline.action) == ("deadline", "印发文件")
    assert deadline.end == date(2022, 1, 31)
    assert (period.kind, period.action) == ("period", "推动落实")
    assert (period.start, period.end) == (date(2022, 1, 1), date(2022, 12, 31))


def test_seed_plain_year_end_deadline(seed: Plan) -> None:
    task = seed.task("7.3")
    assert task is not None
    assert task.units == ("综合办",)
    assert [(m.kind, m.end) for m in task.milestones] == [("deadline", date(2022, 12, 31))]


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
        ("责任科室：社救科和社区科", ("社救科", "社区科")),
        ("责任科室：社救科及社区科等", ("社救科", "社区科")),
        ("责任单位：住房和城乡建设委、社区科", ("住房和城乡建设委", "社区科")),
        ("牵头单位：社救科\n配合单位：社区科", ("社救科", "社区科")),
        ("责任科室：社救科（牵头）、社区科", ("社救科", "社区科")),
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
        "一、章\n说明文字。\n（一）任务。\n责任科室：社区科\n完成时限：12月底\n备注：另行通知\n"
    )
    kept = [(p.line, p.text) for p in parsed.problems]
    assert kept == [(2, "说明文字。"), (6, "备注：另行通知")]


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
