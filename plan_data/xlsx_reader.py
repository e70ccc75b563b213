"""Read an Excel (.xlsx) task table (任务分解表 / 任务清单), one row per task."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from openpyxl import load_workbook

from plan_data.lines import find_year
from plan_data.model import Plan
from plan_data.read_errors import PlanFileError
from plan_data.table_reader import Row, read_table

_PREFERRED = ("任务分解", "任务清单", "工作要点", "任务")


def read_xlsx(data: bytes, year: int | None, source: str = "") -> Plan:
    """Parse the first sheet that holds a task table (preferring one named 任务分解表)."""
    try:
        book = load_workbook(io.BytesIO(data), read_only=False, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise PlanFileError(f"cannot read Excel file {source}: {exc}") from None
    sheets = sorted(
        book.worksheets, key=lambda ws: not any(word in ws.title for word in _PREFERRED)
    )
    for sheet in sheets:
        merged = _merged_values(sheet)
        rows: list[Row] = [
            (
                number,
                [
                    _text(merged.get((number, column), value))
                    for column, value in enumerate(values, start=1)
                ],
            )
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
        plan = read_table(rows, year or find_year(sheet.title), source)
        if plan is not None and plan.tasks:
            return plan
    raise PlanFileError(f"no task table found in Excel file {source}")


def _merged_values(sheet: Any) -> dict[tuple[int, int], object]:
    """Return the value of each cell hidden under a merged range (Word repeats it, Excel not).

    A task group merged over its numbered rows, or an owner merged over a group, then
    reads in every row it covers, the same in .xlsx as in .docx.
    """
    values: dict[tuple[int, int], object] = {}
    for cells in sheet.merged_cells.ranges:
        value = sheet.cell(cells.min_row, cells.min_col).value
        for row in range(cells.min_row, cells.max_row + 1):
            for column in range(cells.min_col, cells.max_col + 1):
                values[(row, column)] = value
    return values


def _text(value: object) -> str:
    return "" if value is None else str(value)
