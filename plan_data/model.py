"""The plan as data: plain, immutable values shared by every layer."""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass, field
from datetime import date
from typing import Literal

MilestoneKind = Literal["deadline", "period", "ongoing", "event"]
OwnerRole = Literal["lead", "cooperating", "owner"]
OffsetUnit = Literal["days", "workdays", "months"]
TargetKind = Literal["count", "share", "whole"]


@dataclass(frozen=True, slots=True)
class Milestone:
    """One checkpoint of a task: a due date, a window, open-ended work, or one that waits.

    A recurring deadline (`每月28日前`) is one milestone per occurrence, each carrying the
    series it belongs to and the nominal days between occurrences, so that reminders can be
    fitted into the interval. An `event` milestone (`印发之日起20个工作日内`) has no dates
    until its event is reported; `event_due` then gives its due date.
    """

    kind: MilestoneKind
    action: str | None
    start: date | None
    end: date | None
    # Keyword-only, so that a subclass (storage's MilestoneRecord) may add plain fields.
    _: KW_ONLY
    series: str | None = None
    interval_days: int | None = None
    event: str | None = None
    offset: int | None = None
    offset_unit: OffsetUnit | None = None

    @property
    def due(self) -> date | None:
        """Return the date by which this milestone should be done, if it has one."""
        return self.end


@dataclass(frozen=True, slots=True)
class Owner:
    """A unit responsible for a task, and in what role."""

    unit: str
    role: OwnerRole = "owner"
    # How the plan wrote it when that was more than the name: a scope note
    # (`各街道（涉农街道）` → 涉农街道) or the collective wording it was expanded from (`各科室`).
    note: str = ""


@dataclass(frozen=True, slots=True)
class Target:
    """A quantitative target read from a task's text (`新建老年日照中心4个`).

    `value` is an int where the number is whole; a share is in percent (`不低于90%` → 90, "%"),
    and a whole (`全覆盖`, `100%`) is 100 "%".
    """

    value: float
    unit: str
    what: str
    text: str
    kind: TargetKind = "count"


@dataclass(frozen=True, slots=True)
class Progress:
    """Progress a report gives against a task's targets (`已签约3家` against `5家`: 3/5).

    `target` is None for a bare percent on a task with several targets: a share of the
    whole task. `share` is value / target (0.6 for 3 of 5); it may pass 1.
    """

    target: Target | None
    value: float
    share: float
    text: str


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
    targets: tuple[Target, ...] = ()

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
