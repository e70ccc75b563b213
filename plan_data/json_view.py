"""The plan as JSON, in the shape DESIGN gives for `duban plan show --json`."""

from __future__ import annotations

from typing import Any

from plan_data.model import Milestone, Plan, Target, Task


def milestone_to_json(milestone: Milestone) -> dict[str, Any]:
    """Return one milestone as a JSON object; a series' or an event's keys only where set."""
    found: dict[str, Any] = {
        "kind": milestone.kind,
        "action": milestone.action,
        "start": milestone.start.isoformat() if milestone.start else None,
        "end": milestone.end.isoformat() if milestone.end else None,
    }
    extra = {
        "series": milestone.series,
        "interval_days": milestone.interval_days,
        "event": milestone.event,
        "offset": milestone.offset,
        "offset_unit": milestone.offset_unit,
    }
    found.update((key, value) for key, value in extra.items() if value is not None)
    return found


def target_to_json(target: Target) -> dict[str, Any]:
    """Return one target as a JSON object (a whole number as an int)."""
    value = target.value
    return {
        "value": int(value) if float(value).is_integer() else value,
        "unit": target.unit,
        "what": target.what,
        "text": target.text,
        "kind": target.kind,
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
        "targets": [target_to_json(t) for t in task.targets],
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
