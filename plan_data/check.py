"""`duban plan check`: everything wrong with a plan, each with its line number."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from plan_data.model import Plan, Problem
from plan_data.units import UnitResolver, core


def check_plan(plan: Plan, known_units: Sequence[str] | None = None) -> list[Problem]:
    """Return every problem of the plan, sorted by line."""
    problems = list(plan.problems)
    problems += _duplicate_ids(plan)
    problems += _unknown_units(plan, known_units)
    return sorted(problems, key=lambda p: p.line)


def _duplicate_ids(plan: Plan) -> list[Problem]:
    seen: set[str] = set()
    problems = []
    for task in plan.tasks:
        if task.id in seen:
            message = f"duplicate task id {task.id}"
            problems.append(Problem(task.line, message, task.title, task.id))
        seen.add(task.id)
    return problems


def _unknown_units(plan: Plan, known_units: Sequence[str] | None) -> list[Problem]:
    """Flag units outside the known list, or (without one) a rare near-copy of another."""
    uses = Counter(unit for task in plan.tasks for unit in task.units)
    if known_units is not None:
        resolver = UnitResolver(known_units)
        suspects = {u: resolver.suggest(u) for u in plan.units if u not in known_units}
    else:
        suspects = {}
        for unit in plan.units:
            twin = next((o for o in plan.units if o != unit and _one_edit(core(unit), core(o))
                         and uses[o] > uses[unit]), None)
            if twin is not None and uses[unit] == 1:
                suspects[unit] = twin
    problems = []
    for task in plan.tasks:
        for unit in task.units:
            if unit in suspects:
                hint = f"; did you mean {suspects[unit]}?" if suspects[unit] else ""
                problems.append(
                    Problem(task.line, f"task {task.id}: unknown unit '{unit}'{hint}", "", task.id)
                )
    return problems


def _one_edit(a: str, b: str) -> bool:
    """Return whether two names of two or more characters differ by one character."""
    if len(a) < 2 or len(b) < 2 or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))
