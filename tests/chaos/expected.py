"""What a drill must deliver, from the plan, the calendar and the pure reminder policy alone.

Nothing here reads the outbox or asks the service: the plan file is parsed again, every
(task, unit, milestone) is run through `scheduler.policy.prompt_points` over the drill's
workdays, and the answers people gave (a done entry ends a milestone's prompts after its
day) come in as plain facts. The service must then have sent exactly this.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from plan_data import default_plan_path, load_plan
from scheduler.policy import MilestoneWindow, digest_days, prompt_points
from scheduler.settings import PolicySettings

# (task id, unit, milestone position in its task)
MilestoneKey = tuple[str, str, int]


@dataclass(frozen=True)
class Expected:
    """The messages a drill must deliver."""

    # (unit, day) -> the task ids its prompt lists (a task twice: two of its milestones)
    prompts: dict[tuple[str, date], Counter[str]] = field(default_factory=dict)
    escalations: set[date] = field(default_factory=set)
    digests: set[date] = field(default_factory=set)


def expected_messages(
    settings: PolicySettings,
    first: date,
    last: date,
    units: Iterable[str],
    done_on: Mapping[MilestoneKey, date],
) -> Expected:
    """Return what the policy prompts from `first` to `last` (inclusive), for the units that
    have a chat, given the day each milestone was reported done (if it was)."""
    plan = load_plan(default_plan_path())
    calendar = settings.calendar()
    bound = set(units)
    prompts: dict[tuple[str, date], Counter[str]] = {}
    escalations: set[date] = set()
    for task in plan.tasks:
        for unit in task.units:
            if unit not in bound:
                continue
            for position, milestone in enumerate(task.milestones):
                window = MilestoneWindow(milestone.kind, milestone.start, milestone.end)
                done = done_on.get((task.id, unit, position))
                for point in prompt_points(window, calendar, settings, first, last):
                    if done is not None and point.day > done:
                        break
                    prompts.setdefault((unit, point.day), Counter())[task.id] += 1
                    if point.escalate:
                        escalations.add(point.day)
    digests = set(digest_days(calendar, settings, first, last))
    return Expected(prompts, escalations, digests)
