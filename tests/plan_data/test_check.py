"""`check_plan`: every problem of a plan, with its line."""

from __future__ import annotations

from plan_data import default_plan_path, load_plan
from plan_data.check import check_plan
from plan_data.model import Plan
from plan_data.text_reader import read_text


def test_the_seed_is_clean() -> None:
    assert check_plan(load_plan(default_plan_path())) == []


def test_a_rare_near_copy_of_a_unit_is_flagged_as_a_typo() -> None:
    plan = read_text(
        "一、章\n"
        "（一）甲。\n责任科室：社救科\n完成时限：12月底\n"
        "（二）乙。\n责任科室：社救科、社区科\n完成时限：12月底\n"
        "（三）丙。\n责任科室：社保科、社区科\n完成时限：12月底\n",
        2022,
    )
    assert [(p.line, p.message) for p in check_plan(plan)] == [
        (8, "task 1.3: unknown unit '社保科'; did you mean 社救科?")
    ]


def test_units_outside_a_known_list_are_flagged() -> None:
    plan = read_text("一、章\n（一）甲。\n责任科室：社区科、财务处\n完成时限：12月底\n", 2022)
    problems = check_plan(plan, known_units=["社区科", "社救科"])
    assert [(p.line, p.message) for p in problems] == [(2, "task 1.1: unknown unit '财务处'")]


def test_duplicate_ids_are_flagged() -> None:
    plan = read_text("一、章\n（一）甲。\n责任科室：社区科\n完成时限：12月底\n", 2022)
    doubled = Plan(plan.year, plan.title, plan.units, plan.tasks * 2)
    assert [p.message for p in check_plan(doubled)] == ["duplicate task id 1.1"]

