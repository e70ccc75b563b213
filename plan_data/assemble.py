"""Turn raw tasks (from text, Word or Excel) into a Plan: owners, deadlines, problems."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from plan_data.deadlines import find_body_deadline, read_deadline
from plan_data.model import Heading, Owner, OwnerRole, Plan, Problem, Task
from plan_data.owners import Label, find_bracket_labels, split_unit_names
from plan_data.targets import read_targets
from plan_data.units import is_all_units

# A sentence ends with 。！？ in either width, or a half-width full stop that is no decimal point.
TITLE_END = re.compile(r"[。｡．！？!?]|\.(?!\d)")


@dataclass
class RawTask:
    """A task as found in a document, before its owners and deadline are read."""

    id: str
    chapter: str
    line: int
    text: str
    group: str = ""
    labels: list[tuple[Label, int]] = field(default_factory=list)
    part_lines: list[int] = field(default_factory=list)


@dataclass
class RawPlan:
    """Everything a document reader found, in document order."""

    year: int
    title: str
    intro: str = ""
    source: str = ""
    tasks: list[RawTask] = field(default_factory=list)
    headings: list[Heading] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def split_title(text: str) -> tuple[str, str]:
    """Return (title, body): the title is the sentence up to the first 。."""
    match = TITLE_END.search(text)
    if not match:
        return text.strip(), ""
    return text[: match.start()].strip(), text[match.end() :].strip()


@dataclass(frozen=True)
class _Named:
    """A unit a task's labels name, or collective wording (各科室) that stands for them all."""

    name: str
    role: OwnerRole
    collective: bool
    note: str = ""


def build_plan(raw: RawPlan) -> Plan:
    """Read owners and deadlines of every raw task and return the finished Plan."""
    problems = list(raw.problems)
    named: list[list[_Named]] = []
    units: list[str] = []
    for task in raw.tasks:
        text, bracket_labels = find_bracket_labels(task.text)
        task.text = text
        task.labels.extend((label, task.line) for label in bracket_labels)
        owners: list[_Named] = []
        for label, _line in task.labels:
            if label.is_deadline:
                continue
            if is_all_units(label.value):
                owners.append(_Named(label.value, label.role, True, label.value))
                continue
            for unit in split_unit_names(label.value):
                collective = is_all_units(unit.name)
                note = unit.name if collective else unit.note
                owners.append(_Named(unit.name, unit.role or label.role, collective, note))
                if not collective and unit.name not in units:
                    units.append(unit.name)
        named.append(owners)
    tasks = []
    deadline_problems: dict[tuple[int, str, str], list[str]] = {}
    for task, owners in zip(raw.tasks, named, strict=True):
        tasks.append(_finish(task, owners, units, raw.year, problems, deadline_problems))
    # A deadline the tasks of a group share is one line of the plan: say its problems once.
    for (line, message, text), ids in deadline_problems.items():
        who = f"task {ids[0]}" if len(ids) == 1 else f"tasks {', '.join(ids)}"
        problems.append(Problem(line, f"{who}: {message}", text, ids[0]))
    problems.sort(key=lambda p: p.line)
    return Plan(
        year=raw.year,
        title=raw.title,
        units=tuple(units),
        tasks=tuple(tasks),
        problems=tuple(problems),
        source=raw.source,
        intro=raw.intro,
        headings=tuple(raw.headings),
    )


def _finish(
    task: RawTask,
    named: list[_Named],
    units: list[str],
    year: int,
    problems: list[Problem],
    deadline_problems: dict[tuple[int, str, str], list[str]],
) -> Task:
    title, body = split_title(task.text)
    if not title:
        problems.append(Problem(task.line, f"task {task.id} has no title", task.text, task.id))
    owners: dict[str, Owner] = {}
    # A unit named outright keeps its own entry; collective wording adds the others, noted.
    for entry in sorted(named, key=lambda entry: entry.collective):
        for unit in units if entry.collective else [entry.name]:
            owners.setdefault(unit, Owner(unit, entry.role, entry.note))
    if not owners and named:
        message = f"task {task.id}: '{named[0].name}' means every unit, but the plan names none"
        problems.append(Problem(task.line, message, title, task.id))
    elif not owners:
        problems.append(Problem(task.line, f"task {task.id} has no owners", title, task.id))
    deadline_labels = [(label, line) for label, line in task.labels if label.is_deadline]
    deadline_text = "，".join(label.value for label, _ in deadline_labels if label.value)
    deadline_line = deadline_labels[0][1] if deadline_labels else task.line
    if not deadline_text:
        deadline_text = find_body_deadline(body) or ""
    reading = read_deadline(deadline_text, year)
    for message in reading.problems:
        # Said once is enough: a message quoting the phrase it is about needs no copy of it.
        text = "" if deadline_text in message or '"' in message else deadline_text
        deadline_problems.setdefault((deadline_line, message, text), []).append(task.id)
    return Task(
        id=task.id,
        chapter=task.chapter,
        title=title,
        body=body,
        owners=_in_plan_order(owners, named, units),
        deadline_text=deadline_text,
        milestones=reading.milestones,
        line=task.line,
        group=task.group,
        part_lines=tuple(task.part_lines),
        targets=read_targets(task.text),
    )


def _in_plan_order(
    owners: dict[str, Owner], named: list[_Named], units: list[str]
) -> tuple[Owner, ...]:
    """Return the owners in the order the task's labels name them, a collective's in place."""
    order: list[str] = []
    for entry in named:
        for unit in units if entry.collective else [entry.name]:
            if unit not in order:
                order.append(unit)
    return tuple(owners[unit] for unit in order if unit in owners)
