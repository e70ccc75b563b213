"""Calendar warnings for `duban plan check`: years whose official workdays are unknown."""

from __future__ import annotations

from pathlib import Path

from plan_data.model import Plan
from scheduler.settings import load_settings


def plan_calendar_warnings(plan: Plan, policy_file: Path | None = None) -> list[str]:
    """Return a warning per year of the plan whose workdays fall back to Monday-Friday."""
    calendar = load_settings(policy_file).calendar()
    years = {plan.year}
    for task in plan.tasks:
        for milestone in task.milestones:
            years |= {d.year for d in (milestone.start, milestone.end) if d is not None}
    return [w for year in sorted(years) for w in calendar.warnings_for_year(year)]
