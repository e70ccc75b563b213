"""The plan as data: plain, immutable values shared by every layer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

MilestoneKind = Literal["deadline", "period", "ongoing"]
OwnerRole = Literal["lead", "cooperating", "owner"]


@dataclass(frozen=True, slots=True)
class Milestone:
    """One checkpoint of a task: a due date, a window, or open-ended work."""

    kind: MilestoneKind
    action: str | None
    start: date | None
    end: date | None

    @property
    def due(self) -> date | None:
        """Return the date by which this milestone should be done, if it has one."""
        return self.end


@dataclass(frozen=True, slots=True)
class Owner:
    """A unit responsible for a task, and in what role."""

    unit: str
    role: OwnerRole = "owner"


@dataclass(frozen=True, slots=True)
class Problem:
    """Something the reader could not interpret; kept verbatim, never dropped."""

    line: int
    message: str
    text: str = ""
    task_id: str | None = None


@dataclass(frozen=True, slots=True)
class Task:
    """One item of the work plan."""

    id: str
    chapter: str
    title: str
    body: str
    owners: tuple[Owner, ...]
    deadline_text: str
    milestones: tuple[Milestone, ...]
    line: int = 0
    group: str = ""
    # Lines of numbered sub-items (`1.…；2.…`) that were read as part of this task's body.
    part_lines: tuple[int, ...] = ()

    @property
    def units(self) -> tuple[str, ...]:
        """Return the names of every owning unit, in plan order."""
        return tuple(owner.unit for owner in self.owners)


@dataclass(frozen=True, slots=True)
class Heading:
    """A chapter or a group of tasks (the middle level of a three-level plan)."""

    id: str
    title: str
    line: int = 0
    intro: str = ""


@dataclass(frozen=True, slots=True)
class Plan:
    """A parsed annual work plan (工作要点)."""

    year: int
    title: str
    units: tuple[str, ...]
    tasks: tuple[Task, ...]
    problems: tuple[Problem, ...] = field(default=())
    source: str = ""
    intro: str = ""
    headings: tuple[Heading, ...] = field(default=())

    @property
    def warnings(self) -> list[str]:
        """Return every problem as one readable line."""
        return [
            f"line {p.line}: {p.message}" + (f": {p.text}" if p.text else "")
            for p in self.problems
        ]

    def task(self, task_id: str) -> Task | None:
        """Return the task with this id, or None."""
        return next((t for t in self.tasks if t.id == task_id), None)
