"""The ledger workbook's layout, read back with openpyxl."""

from __future__ import annotations

import io

import openpyxl

from reports.digest import compute_digest
from reports.xlsx_sheets import (
    ENTRIES_SHEET,
    LEDGER_COLUMNS,
    LEDGER_SHEET,
    EntriesSheet,
    new_workbook,
    save_workbook,
    write_ledger_sheet,
)
from storage.report_queries import LedgerEntry
from tests.reports.rows import AS_OF, EXTENSIONS, ago, sample_rows


def _book() -> openpyxl.Workbook:
    rows = sample_rows()
    digest = compute_digest(rows, EXTENSIONS, AS_OF)
    book = new_workbook()
    write_ledger_sheet(book, rows, digest.categories)
    entries = EntriesSheet(book)
    entries.add(
        [
            LedgerEntry("2.1", "社救科", "in_progress", "起草中", 30, None, "王科长", ago(20)),
            LedgerEntry("3.2", "社会事务科", "blocked", "=HYPERLINK(1)", None, None, "李", ago(3)),
        ]
    )
    entries.finish()
    buffer = io.BytesIO()
    save_workbook(book, buffer)
    buffer.seek(0)
    return openpyxl.load_workbook(buffer)


def test_ledger_sheet_has_header_freeze_filter_and_landscape_a4() -> None:
    book = _book()
    assert book.sheetnames == [LEDGER_SHEET, ENTRIES_SHEET]
    sheet = book[LEDGER_SHEET]
    header = [cell.value for cell in sheet[1]]
    assert header == [
        "序号", "任务编号", "重点任务", "责任科室", "角色", "完成时限", "节点",
        "最新进展", "状态", "灯", "更新时间", "灯的原因", "目标进度",
    ]
    assert len(header) == len(LEDGER_COLUMNS)
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:M8"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.paperSize == 9  # A4
    assert sheet.page_setup.fitToWidth == 1
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert sheet.column_dimensions["C"].width == 36
    assert sheet["C2"].alignment.wrap_text is True


def test_light_cells_are_filled_red_yellow_green() -> None:
    sheet = _book()[LEDGER_SHEET]
    fills = {row[1].value: (row[9].value, row[9].fill.fgColor.rgb) for row in sheet.iter_rows(2)}
    assert fills["2.1"] == ("红", "FFE53935")
    assert fills["3.2"] == ("黄", "FFFFD54F")
    assert fills["4.1"] == ("绿", "FF66BB6A")
    assert fills["7.3"][0] == "办结"
    statuses = {row[1].value: row[8].value for row in sheet.iter_rows(2)}
    assert statuses == {
        "2.1": "逾期", "2.2": "逾期", "3.2": "遇到困难", "7.3": "已完成", "7.1": "已完成",
        "4.1": "进行中", "6.3": "未启动",
    }


def test_entries_sheet_keeps_notes_as_text_in_local_time() -> None:
    sheet = _book()[ENTRIES_SHEET]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("序号", "任务编号", "责任科室", "状态")
    assert rows[1][:5] == (1, "2.1", "社救科", "进行中", "起草中")
    assert rows[1][8].isoformat() == "2022-06-14T09:00:00"  # Shanghai wall-clock time
    assert sheet["E3"].value == "=HYPERLINK(1)"
    assert sheet["E3"].data_type == "s"  # never a formula
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:J3"
