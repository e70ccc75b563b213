"""The seed plan (东丽区民政局 2022) as a careful reader writes it down."""

from __future__ import annotations

from datetime import date

import pytest

from plan_data import default_plan_path, load_plan
from plan_data.model import Milestone, Plan

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
