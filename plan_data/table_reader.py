"""Read a task table (任务分解表 / 任务清单) from Word or Excel: one row per task."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from plan_data.assemble import RawPlan, RawTask, build_plan
from plan_data.deadlines import find_plan_year
from plan_data.lines import clean, find_year, marker
from plan_data.model import Heading, Plan, Problem
from plan_data.owners import Label
from plan_data.read_errors import PlanYearUnknown

Row = tuple[int, Sequence[str]]

# Header words by column role, most specific first; a cell takes the first role it fits.
_HEADERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("skip", re.compile(r"领导|责任人|联系人|备注|完成情况|进展|落实情况")),
    ("seq", re.compile(r"^(?:序号|编号|序)$")),
    ("lead", re.compile(r"牵头|主要责任")),
    ("cooperating", re.compile(r"配合|协办|协同")),
    ("owner", re.compile(r"责任|实施|承办|主责|负责")),
    ("deadline", re.compile(r"时限|时间|时间节点|进度|期限")),
    ("detail", re.compile(r"具体|要求|内容|措施|目标")),
    ("task", re.compile(r"任务|事项|项目|工作")),
    ("category", re.compile(r"类别|分类|领域|板块|方面|章节|一级")),
)
_LABEL_WORD = {"lead": "牵头单位", "cooperating": "配合单位", "owner": "责任单位",
               "deadline": "完成时限"}


@dataclass
class Columns:
    """Which column holds what, found from the header row."""

    roles: dict[int, str] = field(default_factory=dict)

    def first(self, role: str) -> int | None:
        """Return the first column with this role, if any."""
        return next((i for i, r in self.roles.items() if r == role), None)


def find_header(rows: Sequence[Row]) -> tuple[int, Columns] | None:
    """Return the index of the header row and its columns, if the rows form a task table."""
    for index, (_number, cells) in enumerate(rows[:20]):
        columns = Columns()
        for col, role in _header_roles(cells).items():
            # Several unit columns may exist (牵头 and 配合); other roles take the first.
            if role in _LABEL_WORD or role not in columns.roles.values():
                columns.roles[col] = role
        detail = columns.first("detail")
        if detail is not None and columns.first("task") is None:
            columns.roles[detail] = "task"  # 具体工作任务 alone is the task column
        found = set(columns.roles.values())
        if "task" in found and found & {"owner", "lead", "cooperating", "deadline"}:
            return index, columns
    return None


def _header_roles(cells: Sequence[str]) -> dict[int, str]:
    """Return the role of each cell that reads like a column header."""
    roles = {}
    for col, cell in enumerate(cells):
        name = re.sub(r"\s+", "", cell or "")
        if name and len(name) <= 12:
            role = next((r for r, pattern in _HEADERS if pattern.search(name)), "skip")
            if role != "skip":
                roles[col] = role
    return roles


def _sub_header(cells: Sequence[str], columns: Columns) -> bool:
    """Take a second header row (责任单位 over 牵头单位 | 配合单位) into the columns."""
    roles = _header_roles(cells)
    filled = [col for col, cell in enumerate(cells) if (cell or "").strip()]
    if not roles or len(roles) != len(filled) or not set(roles.values()) <= set(_LABEL_WORD):
        return False
    columns.roles.update(roles)
    return True


def read_table(
    rows: Sequence[Row], year: int | None, source: str = "", preamble: Sequence[str] = ()
) -> Plan | None:
    """Parse a task table into a Plan, or return None if the rows are not one."""
    header = find_header(rows)
    if header is None:
        return None
    start, columns = header
    above = [*preamble, *(clean(c) for _, cells in rows[:start] for c in cells if c)]
    above = list(dict.fromkeys(line for line in above if line))
    head = "\n".join(above)
    plan_year = year or find_plan_year(head) or find_year(head) or find_year(source)
    if plan_year is None:
        raise PlanYearUnknown
    title = next((line for line in above if len(line) <= 60), f"{plan_year}年工作要点")
    raw = RawPlan(plan_year, title, "\n".join(line for line in above if line != title), source)
    body = rows[start + 1 :]
    if body and _sub_header(body[0][1], columns):
        body = body[1:]
    _TableWalk(raw, columns).rows(body)
    return build_plan(raw)


class _TableWalk:
    """Turn rows into tasks, carrying blank (merged) chapter cells forward.

    Each numbered row (a new 序号) is its own task. When the task column is merged or
    repeated over several numbered rows, it names a group and each row's detail is a task
    of that group: a middle level under the chapters, or the chapters themselves.
    """

    def __init__(self, raw: RawPlan, columns: Columns) -> None:
        self.raw = raw
        self.columns = columns
        self.chapter = ""
        self.chapter_index = 0
        self.in_chapter = 0
        self.last: RawTask | None = None
        self.last_task_cell = ""
        self.last_seq = ""
        self.grouped = False
        self.has_chapters = False
        self.group = ""
        self.group_id = ""
        self.in_group = 0

    def rows(self, rows: Sequence[Row]) -> None:
        """Take every row below the header."""
        table = [(number, [clean(c or "") for c in cells]) for number, cells in rows]
        table = [(number, texts) for number, texts in table if any(texts)]
        chapter_rows = {
            number for number, texts in table
            if self._is_chapter_row(texts, [t for t in texts if t])
        }
        body = [(number, texts) for number, texts in table if number not in chapter_rows]
        self.grouped = self._is_grouped(body)
        self.has_chapters = bool(chapter_rows) or self.columns.first("category") is not None
        for number, texts in table:
            if number in chapter_rows:
                self._new_chapter(number, _strip_marker(next(t for t in texts if t)))
            else:
                self._row(number, texts)

    def _is_grouped(self, rows: list[tuple[int, list[str]]]) -> bool:
        """Whether a task cell spans rows of different 序号, each with its own detail."""
        if self.columns.first("seq") is None or self.columns.first("detail") is None:
            return False
        seqs: dict[str, set[str]] = {}
        carried = ""
        for _number, texts in rows:
            carried = self._cell(texts, "task") or carried
            seq = self._cell(texts, "seq")
            if carried and seq:
                seqs.setdefault(carried, set()).add(seq)
        return any(len(found) > 1 for found in seqs.values())

    def _is_chapter_row(self, texts: list[str], filled: list[str]) -> bool:
        """A row of one text: spread over the whole row (merged) or outside task columns."""
        if len(set(filled)) != 1:
            return False
        if len(filled) == len(texts) > 1:
            return True
        content = {"task", "detail", *_LABEL_WORD}
        return all(
            self.columns.roles.get(col) not in content for col, t in enumerate(texts) if t
        )

    def _cell(self, texts: list[str], role: str) -> str:
        col = self.columns.first(role)
        return texts[col] if col is not None and col < len(texts) else ""

    def _new_chapter(self, number: int, title: str) -> None:
        self.chapter = title
        self.chapter_index += 1
        self.in_chapter = 0
        self.group = ""
        self.last_seq = ""
        self.raw.headings.append(Heading(str(self.chapter_index), title, number))

    def _new_group(self, number: int, title: str) -> None:
        if not self.has_chapters:
            self._new_chapter(number, title)  # the groups are the chapters
            self.group = title
            self.group_id = str(self.chapter_index)
            return
        self.in_chapter += 1
        self.group = title
        self.group_id = f"{self.chapter_index}.{self.in_chapter}"
        self.in_group = 0
        self.raw.headings.append(Heading(self.group_id, title, number))

    def _row(self, number: int, texts: list[str]) -> None:
        category = _strip_marker(self._cell(texts, "category"))
        if category and category != self.chapter:
            self._new_chapter(number, category)
        if self.chapter_index == 0 and (self.has_chapters or not self.grouped):
            self.chapter_index = 1
        task_cell = self._cell(texts, "task")
        detail = self._cell(texts, "detail")
        if detail == task_cell:
            detail = ""  # one cell merged across both columns
        seq = self._cell(texts, "seq")
        labels = [
            (Label(_LABEL_WORD[role], texts[col]), number)
            for col, role in self.columns.roles.items()
            if role in _LABEL_WORD and col < len(texts) and texts[col]
        ]
        new_task_cell = bool(task_cell) and task_cell != self.last_task_cell
        new_seq = bool(seq) and seq != self.last_seq
        if self.last is not None and not new_task_cell and not new_seq:
            if detail and detail not in self.last.text:
                self.last.text += detail
            self.last.labels.extend(labels)
            return
        if not task_cell and not detail and not (self.grouped and self.last_task_cell):
            self.raw.problems.append(Problem(number, "row without a task", " | ".join(texts)))
            return
        self.last_seq = seq
        if self.grouped:
            task = self._grouped_task(number, task_cell or self.last_task_cell, detail)
        else:
            self.in_chapter += 1
            title = _strip_marker(task_cell or detail).rstrip("。")
            text = f"{title}。{detail}" if task_cell and detail else f"{title}。"
            task = RawTask(f"{self.chapter_index}.{self.in_chapter}", self.chapter, number, text)
        task.labels.extend(labels)
        self.raw.tasks.append(task)
        self.last = task
        self.last_task_cell = (task_cell or self.last_task_cell) if self.grouped else task_cell

    def _grouped_task(self, number: int, group_cell: str, detail: str) -> RawTask:
        """Return the task of a numbered row under its group (the merged task cell)."""
        group = _strip_marker(group_cell)
        if group_cell != self.last_task_cell or not self.group:
            self._new_group(number, group)
        self.in_group += 1
        text = _strip_marker(detail) if detail else f"{group}。"
        if self.has_chapters:
            task_id = f"{self.group_id}.{self.in_group}"
            return RawTask(task_id, self.chapter, number, text, group=group)
        self.in_chapter += 1
        return RawTask(f"{self.chapter_index}.{self.in_chapter}", self.chapter, number, text)


def _strip_marker(text: str) -> str:
    found = marker(text)
    return found.text if found else text
