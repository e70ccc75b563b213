"""The plan as JSON, in the shape DESIGN gives for `duban plan show --json`."""

from __future__ import annotations

from typing import Any

from plan_data.model import Milestone, Plan, Task


def milestone_to_json(milestone: Milestone) -> dict[str, Any]:
    """Return one milestone as a JSON object."""
    return {
        "kind": milestone.kind,
        "action": milestone.action,
        "start": milestone.start.isoformat() if milestone.start else None,
        "end": milestone.end.isoformat() if milestone.end else None,
    }


def task_to_json(task: Task) -> dict[str, Any]:
    """Return one task as a JSON object (owners as names; roles alongside)."""
    return {
        "id": task.id,
        "chapter": task.chapter,
        "title": task.title,
        "body": task.body,
        "owners": list(task.units),
        "deadline_text": task.deadline_text,
        "milestones": [milestone_to_json(m) for m in task.milestones],
        "roles": {owner.unit: owner.role for owner in task.owners},
        "group": task.group,
        "line": task.line,
    }


def plan_to_json(plan: Plan) -> dict[str, Any]:
    """Return the plan as DESIGN's JSON object."""
    return {
        "year": plan.year,
        "title": plan.title,
        "units": list(plan.units),
        "tasks": [task_to_json(task) for task in plan.tasks],
        "warnings": plan.warnings,
        "intro": plan.intro,
        "headings": [
            {"id": h.id, "title": h.title, "intro": h.intro, "line": h.line}
            for h in plan.headings
        ],
    }
