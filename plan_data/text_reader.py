"""Read a plan written as running text (a .txt file or a Word document's paragraphs)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from plan_data.assemble import TITLE_END, RawPlan, RawTask, build_plan, split_title
from plan_data.deadlines import find_plan_year
from plan_data.lines import Marker, clean, find_year, is_label_line, label_start, marker
from plan_data.model import Heading, Plan, Problem
from plan_data.owners import Label, find_bracket_labels, split_labels
from plan_data.read_errors import PlanYearUnknown

_TITLE_WORDS = re.compile(r"要点|计划|方案|清单|分解|任务")
# Running text under a chapter heading is its introduction, unless it looks like a task
# numbered in a way we do not read; that is flagged rather than swallowed.
_ODD_MARKER = re.compile(
    r"^(?:[①-⑳⑴-⒇]|[一二三四五六七八九十]+是|第[一二三四五六七八九十\d]+[项条点])"
)


@dataclass
class _Node:
    raw: RawTask
    level: int
    prefix: str = ""
    children: int = 0
    in_labels: bool = False


def read_text(text: str, year: int | None = None, source: str = "") -> Plan:
    """Parse a plan's text (any line ending, with or without BOM) into a Plan."""
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return read_lines(list(enumerate(lines, start=1)), year, source)


def read_lines(lines: Sequence[tuple[int, str]], year: int | None, source: str = "") -> Plan:
    """Parse numbered lines (line or paragraph number, text) into a Plan."""
    cleaned = [(number, clean(text)) for number, text in lines]
    markers = [marker(text) for _, text in cleaned]
    levels = _levels([m for m in markers if m])
    first = next((i for i, m in enumerate(markers) if m and m.kind in levels), len(cleaned))
    preamble = [text for _, text in cleaned[:first] if text]
    head = "\n".join(preamble)
    plan_year = year or find_plan_year(head) or find_year(head) or find_year(source)
    if plan_year is None:
        if not levels:
            # Nothing that looks like a plan: return it empty so callers say "no tasks".
            return Plan(year=0, title="", units=(), tasks=(), source=source)
        raise PlanYearUnknown
    title, intro = _title_and_intro(preamble, plan_year)
    reader = _Reader(RawPlan(year=plan_year, title=title, intro=intro, source=source))
    for (number, text), found in zip(cleaned[first:], markers[first:], strict=True):
        if text:
            reader.line(number, text, found if found and found.kind in levels else None, levels)
    return build_plan(reader.finish())


def _levels(found: list[Marker]) -> dict[str, int]:
    """Return the level of each marker kind: chapters 1, then task kinds by first use."""
    kinds = list(dict.fromkeys(m.kind for m in found if m.kind != "chapter"))
    if not kinds:
        # Only `一、` markers: they number the tasks themselves, under one chapter.
        return {"chapter": 2} if found else {}
    if len(kinds) == 2 and not any(m.kind == "chapter" for m in found):
        # No `一、` level: the outer numbering (`（一）`) stands for the chapters.
        return {kinds[0]: 1, kinds[1]: 2}
    levels = {"chapter": 1}
    levels.update({kind: index + 2 for index, kind in enumerate(kinds)})
    return levels


def _title_and_intro(preamble: list[str], year: int) -> tuple[str, str]:
    """Return the plan's title (a short heading line) and the rest of the preamble."""
    short = [line for line in preamble if len(line) <= 60 and not line.endswith(("。", "："))]
    titled = [line for line in short if _TITLE_WORDS.search(line) and "通知" not in line]
    title = (titled or short or [f"{year}年工作要点"])[-1 if titled else 0]
    intro = "\n".join(line for line in preamble if line != title)
    return title, intro


class _Reader:
    """Walk the lines after the preamble, building chapters, groups and tasks."""

    def __init__(self, plan: RawPlan) -> None:
        self.plan = plan
        self.nodes: list[_Node] = []
        self.chapter_index = 0
        self.chapter_title = ""
        self.chapter_children = 0
        self.group: _Node | None = None
        self.current: _Node | None = None
        self.intros: dict[str, list[str]] = {}

    def line(self, number: int, text: str, found: Marker | None, levels: dict[str, int]) -> None:
        """Take one non-empty line."""
        if found is None:
            self._text(number, text)
            return
        level = levels[found.kind]
        if level == 1:
            self._chapter(number, found.text)
            return
        if self.chapter_index == 0:
            self._chapter(number, "", implicit=True)
        parent = self.group if level == 3 and self.group is not None else None
        if parent is None:
            self.chapter_children += 1
            task_id = f"{self.chapter_index}.{self.chapter_children}"
        else:
            parent.children += 1
            task_id = f"{parent.raw.id}.{parent.children}"
        prefix = text[: len(text) - len(found.text)].strip()
        node = _Node(RawTask(task_id, self.chapter_title, number, ""), level, prefix)
        self.nodes.append(node)
        if level == 2:
            self.group = node
        self.current = node
        self._text(number, found.text)

    def _chapter(self, number: int, title: str, *, implicit: bool = False) -> None:
        self.chapter_index += 1
        self.chapter_title = title
        self.chapter_children = 0
        self.group = None
        self.current = None
        if not implicit:
            self.plan.headings.append(Heading(str(self.chapter_index), title, number))

    def _text(self, number: int, text: str) -> None:
        node = self.current
        if node is None:
            chapter = str(self.chapter_index)
            if self.plan.headings and not is_label_line(text) and not _ODD_MARKER.match(text):
                self.intros.setdefault(chapter, []).append(text)
            elif text:
                self.plan.problems.append(Problem(number, "text outside any task", text))
            return
        start = 0 if is_label_line(text) else label_start(text)
        if start is not None:
            if text[:start].strip():
                self._text(number, text[:start].strip())
            node.raw.labels.extend((label, number) for label in split_labels(text[start:]))
            node.in_labels = True
        elif node.in_labels:
            message = f"text after the labels of task {node.raw.id} is not understood"
            self.plan.problems.append(Problem(number, message, text, node.raw.id))
        else:
            if node.raw.text and not TITLE_END.search(node.raw.text):
                # A marker line without a full stop is a heading-style title.
                node.raw.text += "。"
            node.raw.text += text

    def finish(self) -> RawPlan:
        """Return the raw plan: groups become headings, their labels pass to children."""
        self._fold_sub_items()
        groups = {node.raw.id: node.raw for node in self.nodes if node.children}
        for group in groups.values():
            text, labels = find_bracket_labels(group.text)
            group.labels.extend((label, group.line) for label in labels)
            group.text = split_title(text)[0]
            self.plan.headings.append(Heading(group.id, group.text, group.line))
        for node in self.nodes:
            if node.children:
                continue
            parent = groups.get(node.raw.id.rsplit(".", 1)[0])
            if parent is not None:
                node.raw.group = parent.text
                node.raw.labels = _inherit(node.raw.labels, parent.labels)
            self.plan.tasks.append(node.raw)
        self.plan.headings = sorted(
            (replace(h, intro="".join(self.intros.get(h.id, []))) for h in self.plan.headings),
            key=lambda h: h.line,
        )
        return self.plan


    def _fold_sub_items(self) -> None:
        """Read `（三）Sentence。1.…；2.…` followed by one set of labels as one task."""
        children: dict[str, list[_Node]] = {}
        for node in self.nodes:
            children.setdefault(node.raw.id.rsplit(".", 1)[0], []).append(node)
        folded: set[int] = set()
        for node in self.nodes:
            items = children.get(node.raw.id, []) if node.children else []
            if not items or not _is_task_with_sub_items(node.raw, [i.raw for i in items]):
                continue
            for item in items:
                text, labels = find_bracket_labels(item.raw.text)
                node.raw.text += item.prefix + text
                node.raw.labels.extend(item.raw.labels)
                node.raw.labels.extend((label, item.raw.line) for label in labels)
                node.raw.part_lines.append(item.raw.line)
                folded.add(id(item))
            node.children = 0
        self.nodes = [node for node in self.nodes if id(node) not in folded]


def _is_task_with_sub_items(parent: RawTask, items: list[RawTask]) -> bool:
    """A full sentence without labels, whose numbered items carry labels only at the end."""
    def has_labels(task: RawTask) -> bool:
        return bool(task.labels or find_bracket_labels(task.text)[1])

    return (
        bool(TITLE_END.search(parent.text))
        and not has_labels(parent)
        and not any(has_labels(item) for item in items[:-1])
        and has_labels(items[-1])
    )


_Labels = list[tuple[Label, int]]


def _inherit(own: _Labels, parent: _Labels) -> _Labels:
    """Give a task its group's owner or deadline labels when it has none of its own."""
    has_owner = any(not label.is_deadline for label, _ in own)
    has_deadline = any(label.is_deadline for label, _ in own)
    extra = [
        (label, line)
        for label, line in parent
        if (label.is_deadline and not has_deadline) or (not label.is_deadline and not has_owner)
    ]
    return own + extra
