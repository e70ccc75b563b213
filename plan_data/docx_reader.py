"""Read a Word (.docx) plan: paragraphs in the text grammar, or a task table."""

from __future__ import annotations

import io

from docx import Document

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
    paragraphs = [p.text for p in document.paragraphs]
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
    plan = read_lines(list(enumerate(paragraphs, start=1)), year, source)
    if not plan.tasks:
        raise PlanFileError(f"no tasks found in Word file {source}")
    return plan
