"""Classify one line of a plan: chapter, task marker, label, or running text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from plan_data.owners import LABEL_START

MarkerKind = Literal["chapter", "paren", "digit"]

_CN = "一二三四五六七八九十百零〇两"
_CHAPTER = re.compile(rf"^(?:第[{_CN}\d]+[章部分节]+|[{_CN}]+\s*[、.．])\s*")
_PAREN = re.compile(rf"^[（(]\s*(?:[{_CN}]+|\d+)\s*[）)]\s*")
_DIGIT = re.compile(r"^\d+\s*(?:[、．]|\.(?!\d))\s*")
_SPACE = " \t\u3000\ufeff\xa0"
_MARKERS: tuple[tuple[MarkerKind, re.Pattern[str]], ...] = (
    ("chapter", _CHAPTER),
    ("paren", _PAREN),
    ("digit", _DIGIT),
)

_YEAR_PATTERNS = (
    re.compile(r"(20\d{2})\s*年(?:度)?[^。\n]{0,30}?(?:工作要点|工作计划|重点任务|任务分解|任务清单)"),
    re.compile(r"(20\d{2})\s*年(?:是|，|,)"),
    re.compile(r"(20\d{2})\s*年"),
)


@dataclass(frozen=True, slots=True)
class Marker:
    """A numbering marker at the start of a line and the text after it."""

    kind: MarkerKind
    text: str


def clean(line: str) -> str:
    """Return a line without surrounding spaces (ASCII, full-width, no-break, BOM)."""
    return line.strip(_SPACE + "\r\n")


def marker(line: str) -> Marker | None:
    """Return the numbering marker that starts this (cleaned) line, if any."""
    for kind, pattern in _MARKERS:
        match = pattern.match(line)
        if match:
            return Marker(kind, line[match.end() :].strip(_SPACE))
    return None


def is_label_line(line: str) -> bool:
    """Return whether the line starts with a label such as 责任科室：."""
    return bool(LABEL_START.match(line))


def label_start(text: str) -> int | None:
    """Return where the first label outside brackets in running text begins, if any."""
    for match in LABEL_START.finditer(text):
        before = text[: match.start()]
        opened = sum(before.count(c) for c in "（(【[〔")
        closed = sum(before.count(c) for c in "）)】]〕")
        if opened <= closed:
            return match.start()
    return None


def find_year(text: str) -> int | None:
    """Return the plan year a preamble or title names (2022年是…, 2022年工作要点)."""
    for pattern in _YEAR_PATTERNS:
        match = pattern.search(text)
        if match:
            return int(match.group(1))
    return None
