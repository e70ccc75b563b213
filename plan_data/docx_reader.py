"""Read a Word (.docx) plan: paragraphs in the text grammar, or a task table."""

from __future__ import annotations

import io
from typing import Any

from docx import Document

from plan_data.lines import clean, marker
from plan_data.model import Plan
from plan_data.read_errors import PlanFileError
from plan_data.table_reader import Row, read_table
from plan_data.text_reader import read_lines


def read_docx(data: bytes, year: int | None, source: str = "") -> Plan:
    """Parse a .docx plan; a task table wins over paragraphs when the document has one."""
    try:
        document = Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several kinds for a damaged file
        raise PlanFileError(f"cannot read Word file {source}: {exc}") from None
    numbering = _numbering_formats(document)
    paragraphs = [_with_auto_number(p, numbering) for p in document.paragraphs]
    offset = len(paragraphs)
    for table in document.tables:
        rows: list[Row] = [
            (offset + index, [cell.text for cell in row.cells])
            for index, row in enumerate(table.rows, start=1)
        ]
        offset += len(rows)
        plan = read_table(rows, year, source, preamble=[p.strip() for p in paragraphs])
        if plan is not None and plan.tasks:
            return plan
    # A paragraph may hold soft line breaks; each part is a line with the paragraph's number.
    lines = [
        (number, part)
        for number, text in enumerate(paragraphs, start=1)
        for part in text.split("\n")
    ]
    plan = read_lines(lines, year, source)
    if not plan.tasks:
        raise PlanFileError(f"no tasks found in Word file {source}")
    return plan


_CHINESE_FORMATS = ("chinese", "ideograph", "japaneseCounting", "taiwaneseCounting")


def _numbering_formats(document: Any) -> dict[tuple[str, str], tuple[str, str]]:
    """Return (numId, ilvl) → (numFmt, lvlText) from the document's numbering part."""
    try:
        root = document.part.numbering_part.element
    except (KeyError, NotImplementedError):
        return {}
    abstract = {
        a.get(_w("abstractNumId")): {
            lvl.get(_w("ilvl")): (
                _val(lvl.findall(_w("numFmt"))), _val(lvl.findall(_w("lvlText")))
            )
            for lvl in a.findall(_w("lvl"))
        }
        for a in root.findall(_w("abstractNum"))
    }
    formats: dict[tuple[str, str], tuple[str, str]] = {}
    for num in root.findall(_w("num")):
        levels = abstract.get(_val(num.findall(_w("abstractNumId"))), {})
        for ilvl, fmt in levels.items():
            formats[(num.get(_w("numId")), ilvl)] = fmt
    return formats


def _with_auto_number(paragraph: Any, formats: dict[tuple[str, str], tuple[str, str]]) -> str:
    """Return the paragraph's text with Word's automatic number written out (一、 1. （一）)."""
    text: str = paragraph.text
    if not formats or marker(clean(text)):
        return text
    num_pr = paragraph._p.findall(_w("pPr") + "/" + _w("numPr"))
    if not num_pr and paragraph.style is not None:
        num_pr = paragraph.style.element.findall(_w("pPr") + "/" + _w("numPr"))
    if not num_pr:
        return text
    num_id = _val(num_pr[0].findall(_w("numId")))
    ilvl = _val(num_pr[0].findall(_w("ilvl"))) or "0"
    fmt, lvl_text = formats.get((num_id, ilvl), ("", ""))
    if not lvl_text or fmt == "bullet":
        return text
    digit = "一" if fmt.startswith(_CHINESE_FORMATS) else "1"
    number = lvl_text
    for level in range(1, 10):
        number = number.replace(f"%{level}", digit)
    return number + text


def _w(name: str) -> str:
    return "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}" + name


def _val(found: list[Any]) -> str:
    return str(found[0].get(_w("val"))) if found else ""
