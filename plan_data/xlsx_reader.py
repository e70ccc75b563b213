"""Read an Excel (.xlsx) task table (任务分解表 / 任务清单), one row per task."""

from __future__ import annotations

import io
import zipfile

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
        rows: list[Row] = [
            (number, ["" if value is None else str(value) for value in values])
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
        plan = read_table(rows, year or find_year(sheet.title), source)
        if plan is not None and plan.tasks:
            return plan
    raise PlanFileError(f"no task table found in Excel file {source}")
