"""The ledger workbook's two sheets, written in openpyxl's streaming (write-only) mode."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from reports.model import CATEGORY_NAMES, Category, ReportRow
from storage.report_queries import LedgerEntry
from vocabulary import DEFAULT_TZ, ROLE_NAMES, STATUS_NAMES

LEDGER_SHEET = "督办台账"
ENTRIES_SHEET = "进展记录"
EXCEL_MAX_ROWS = 1_048_576

LEDGER_COLUMNS: tuple[tuple[str, int], ...] = (
    ("序号", 6),
    ("任务编号", 9),
    ("重点任务", 36),
    ("责任科室", 12),
    ("角色", 6),
    ("完成时限", 22),
    ("节点", 30),
    ("最新进展", 40),
    ("状态", 9),
    ("灯", 6),
    ("更新时间", 17),
)
ENTRY_COLUMNS: tuple[tuple[str, int], ...] = (
    ("序号", 9),
    ("任务编号", 9),
    ("责任科室", 12),
    ("状态", 9),
    ("进展说明", 50),
    ("百分比", 7),
    ("拟调整日期", 12),
    ("填报人", 14),
    ("填报时间", 17),
)
ROLE_ZH: dict[str, str] = dict(ROLE_NAMES.items())
CATEGORY_ZH = CATEGORY_NAMES
STATUS_ZH: dict[str, str] = dict(STATUS_NAMES.items())
LIGHT_ZH = {"done": "完成", "red": "红", "yellow": "黄", "green": "绿"}
LIGHT_FILL = {
    "done": PatternFill("solid", fgColor="FF2E7D32"),
    "red": PatternFill("solid", fgColor="FFE53935"),
    "yellow": PatternFill("solid", fgColor="FFFFD54F"),
    "green": PatternFill("solid", fgColor="FF66BB6A"),
}
HEADER_FILL = PatternFill("solid", fgColor="FFD9E1F2")
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
FORMULA_STARTS = ("=",)
# openpyxl's write-only sheet proxies freeze_panes, page_setup, auto_filter, ... to a
# worksheet at run time; its type stubs do not declare them, hence Any.
WriteOnlyWorksheet = Any


def _local(instant: datetime | None) -> datetime | None:
    # Excel has no time zones: show the office's wall-clock time.
    return None if instant is None else instant.astimezone(DEFAULT_TZ).replace(tzinfo=None)


def _text_cell(sheet: WriteOnlyWorksheet, value: str | None, wrap: bool = False) -> Cell:
    cell = WriteOnlyCell(sheet, ILLEGAL_CHARACTERS_RE.sub("", value) if value else None)
    if value:
        cell.data_type = "s"  # a note starting with "=" stays text, never a formula
    if wrap:
        cell.alignment = WRAP
    return cell


def _date_cell(sheet: WriteOnlyWorksheet, value: datetime | date | None) -> Cell:
    cell = WriteOnlyCell(sheet, value)  # type: ignore[arg-type]  # dates are fine at run time
    if isinstance(value, datetime):
        cell.number_format = DATETIME_FORMAT
    elif value is not None:
        cell.number_format = "yyyy-mm-dd"
    return cell


def _setup(sheet: WriteOnlyWorksheet, columns: tuple[tuple[str, int], ...]) -> None:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    for index, (_, width) in enumerate(columns):
        sheet.column_dimensions[letters[index]].width = width
    sheet.freeze_panes = "A2"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_title_rows = "1:1"
    header = []
    for title, _ in columns:
        cell = WriteOnlyCell(sheet, title)
        cell.font = BOLD
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center")
        header.append(cell)
    sheet.append(header)


def _milestones_text(row: ReportRow) -> str:
    if row.milestones_text:
        return row.milestones_text
    parts = []
    for m in row.open_milestones:
        when = f"{m.due.month}月{m.due.day}日" if m.due else "持续推进"
        parts.append(f"{m.action} {when}" if m.action else when)
    return "；".join(parts)


def write_ledger_sheet(
    book: Workbook, rows: Iterable[ReportRow], categories: Mapping[tuple[str, str], Category]
) -> int:
    """Append the 督办台账 sheet, a row per (task, unit); return how many rows it has."""
    sheet: WriteOnlyWorksheet = book.create_sheet(LEDGER_SHEET)
    _setup(sheet, LEDGER_COLUMNS)
    count = 0
    for count, row in enumerate(rows, start=1):
        light = WriteOnlyCell(sheet, LIGHT_ZH[row.light])
        light.fill = LIGHT_FILL[row.light]
        light.alignment = Alignment(horizontal="center", vertical="top")
        if row.light in ("done", "red"):
            light.font = Font(color="FFFFFFFF", bold=True)
        status = STATUS_ZH.get(row.status or "", "")
        note = f"（{status}）{row.note or ''}" if status else row.note
        sheet.append(
            [
                count,
                _text_cell(sheet, row.task),
                _text_cell(sheet, row.title, wrap=True),
                _text_cell(sheet, row.unit),
                _text_cell(sheet, ROLE_ZH.get(row.role, row.role)),
                _text_cell(sheet, row.deadline_text, wrap=True),
                _text_cell(sheet, _milestones_text(row), wrap=True),
                _text_cell(sheet, note, wrap=True),
                _text_cell(sheet, CATEGORY_ZH[categories[(row.task, row.unit)]]),
                light,
                _date_cell(sheet, _local(row.updated_at)),
            ]
        )
    sheet.auto_filter.ref = f"A1:K{count + 1}"
    return count


class EntriesSheet:
    """The 进展记录 sheet(s), filled chunk by chunk; spills to a new sheet at Excel's row limit."""

    def __init__(self, book: Workbook) -> None:
        self._book = book
        self._sheets: list[WriteOnlyWorksheet] = []
        self._rows_in_sheet = EXCEL_MAX_ROWS
        self.count = 0

    def _sheet(self) -> WriteOnlyWorksheet:
        if self._rows_in_sheet >= EXCEL_MAX_ROWS:
            self._close_filter()
            name = ENTRIES_SHEET if not self._sheets else f"{ENTRIES_SHEET}{len(self._sheets) + 1}"
            sheet: WriteOnlyWorksheet = self._book.create_sheet(name)
            _setup(sheet, ENTRY_COLUMNS)
            self._sheets.append(sheet)
            self._rows_in_sheet = 1
        return self._sheets[-1]

    def _close_filter(self) -> None:
        if self._sheets:
            self._sheets[-1].auto_filter.ref = f"A1:I{self._rows_in_sheet}"

    def add(self, entries: Iterable[LedgerEntry]) -> None:
        """Append entries in the order given."""
        # Plain values, not a styled cell each: openpyxl then reuses one cell per row,
        # which is what keeps a million entries affordable.
        for entry in entries:
            sheet = self._sheet()
            self.count += 1
            self._rows_in_sheet += 1
            note: str | Cell | None = None
            if entry.note:
                text = ILLEGAL_CHARACTERS_RE.sub("", entry.note)
                note = _text_cell(sheet, text) if text[:1] in FORMULA_STARTS else text
            sheet.append(
                [
                    self.count,
                    entry.task,
                    entry.unit,
                    STATUS_ZH.get(entry.status, entry.status),
                    note,
                    entry.percent,
                    entry.proposed_date,
                    entry.reporter,
                    entry.at.astimezone(DEFAULT_TZ).replace(tzinfo=None),
                ]
            )

    def finish(self) -> None:
        """Make sure the sheet exists (even with no entries) and set its filter range."""
        self._sheet()
        self._close_filter()


def new_workbook() -> Workbook:
    """Return an empty streaming workbook."""
    return Workbook(write_only=True)


def save_workbook(book: Workbook, target: str | IO[bytes]) -> None:
    """Write the workbook to a path or a binary stream."""
    book.save(target)
