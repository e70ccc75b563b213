"""The streaming xlsx writer, read back with openpyxl: text stays text, times stay local."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from reports.xlsx_sheets import ENTRIES_SHEET, EntriesSheet, new_workbook, save_workbook
from reports.xlsx_stream import (
    Column,
    Style,
    WallClock,
    XlsxStream,
    column_letter,
    text_cell,
    time_serial,
)
from storage.report_queries import LedgerEntry

SH = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
AT = datetime(2022, 6, 14, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai


def _entry(note: str | None, task: str = "2.1", reporter: str = "王科长") -> LedgerEntry:
    return LedgerEntry(task, "社救科", "in_progress", note, None, None, reporter, AT)


def _entries_book(entries: list[LedgerEntry], max_rows: int = 1_048_576) -> openpyxl.Workbook:
    book = new_workbook()
    sheet = EntriesSheet(book, max_rows=max_rows)
    sheet.add(entries)
    sheet.finish()
    buffer = io.BytesIO()
    save_workbook(book, buffer)
    buffer.seek(0)
    return openpyxl.load_workbook(buffer)


@pytest.mark.parametrize(
    ("note", "shown"),
    [
        ("<b>&amp; 已完成</b>", "<b>&amp; 已完成</b>"),
        ("=SUM(A1:A9)", "=SUM(A1:A9)"),
        ("  前后空格  ", "  前后空格  "),
        ("控制\x01字符\x1f删去", "控制字符删去"),
        ("第一行\n第二行", "第一行\n第二行"),
    ],
)
def test_notes_come_back_exactly_as_typed(note: str, shown: str) -> None:
    cell = _entries_book([_entry(note)])[ENTRIES_SHEET]["E2"]
    assert cell.value == shown
    assert cell.data_type == "s"


def test_repeated_texts_are_shared_and_read_back_like_inline_ones() -> None:
    entries = [_entry("a", task="2.1"), _entry("b", task="2.2"), _entry("c", task="2.1")]
    entries.append(_entry("d", task="<3.1>", reporter="李 & 张"))
    sheet = _entries_book(entries)[ENTRIES_SHEET]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [(r[1], r[4], r[7]) for r in rows] == [
        ("2.1", "a", "王科长"),
        ("2.2", "b", "王科长"),
        ("2.1", "c", "王科长"),
        ("<3.1>", "d", "李 & 张"),
    ]


def test_entries_spill_to_a_second_sheet_at_the_row_limit() -> None:
    book = _entries_book([_entry(f"第{n}条") for n in range(7)], max_rows=4)
    assert book.sheetnames == [ENTRIES_SHEET, f"{ENTRIES_SHEET}2", f"{ENTRIES_SHEET}3"]
    numbers = [
        row[0] for name in book.sheetnames for row in book[name].iter_rows(2, values_only=True)
    ]
    assert numbers == [1, 2, 3, 4, 5, 6, 7]
    assert [book[name].auto_filter.ref for name in book.sheetnames] == [
        "A1:J4",
        "A1:J4",
        "A1:J2",
    ]
    assert all(book[name].freeze_panes == "A2" for name in book.sheetnames)


def test_an_empty_entries_sheet_still_has_its_header_and_filter() -> None:
    sheet = _entries_book([])[ENTRIES_SHEET]
    assert [c.value for c in sheet[1]][:2] == ["序号", "任务编号"]
    assert sheet.auto_filter.ref == "A1:J1"


def test_dates_and_times_are_local_wall_clock_with_formats() -> None:
    entry = LedgerEntry("2.1", "社救科", "extension", "延期", 60, date(2022, 9, 30), "王科长", AT)
    sheet = _entries_book([entry])[ENTRIES_SHEET]
    assert sheet["G2"].value == datetime(2022, 9, 30)  # noqa: DTZ001  # Excel has no zones
    assert sheet["G2"].number_format == "yyyy-mm-dd"
    assert sheet["I2"].value == datetime(2022, 6, 14, 9, 0)  # noqa: DTZ001
    assert sheet["I2"].number_format == "yyyy-mm-dd hh:mm:ss"
    assert (sheet["D2"].value, sheet["F2"].value) == ("申请延期", 60)


def test_workbook_defines_print_titles_and_filter_names() -> None:
    buffer = io.BytesIO()
    stream = XlsxStream(buffer)
    sheet = stream.add_sheet("台账's", [Column("甲", 6), Column("乙", 12.5)])
    sheet.write_rows(['<row r="2"><c r="A2"><v>1</v></c></row>'])
    with pytest.raises(RuntimeError, match="close sheet"):
        stream.add_sheet("another", [Column("丙", 5)])
    sheet.close()
    stream.close()
    buffer.seek(0)
    with zipfile.ZipFile(buffer) as zf:
        workbook = zf.read("xl/workbook.xml").decode()
        assert zipfile.ZipFile(buffer).testzip() is None
    assert "'台账''s'!$A$1:$B$2" in workbook
    assert "'台账''s'!$1:$1" in workbook
    buffer.seek(0)
    read = openpyxl.load_workbook(buffer)["台账's"]
    assert read.print_title_rows == "$1:$1"
    assert read.column_dimensions["B"].width == 12.5
    assert read.page_setup.orientation == "landscape"
    assert read["A1"].font.bold is True


def test_styles_are_registered_once_each() -> None:
    stream = XlsxStream(io.BytesIO())
    first = stream.style(Style(fill="FFE53935"))
    assert stream.style(Style(fill="FFE53935")) == first
    assert stream.style(Style(bold=True)) != first
    assert stream.style(Style()) == 0


def test_text_cells_never_carry_formulas() -> None:
    assert "<f>" not in text_cell("A1", "=1+1")


def test_text_that_looks_like_an_excel_escape_has_its_underscore_escaped() -> None:
    # Excel (and LibreOffice) read "_x0041_" in cell text as "A"; "_x005F_" is "_" itself.
    # openpyxl does not decode either, so this is checked on the XML.
    assert "<t>_x005F_x0041_ 不是转义</t>" in text_cell("A1", "_x0041_ 不是转义")


@pytest.mark.parametrize(
    ("index", "letters"), [(0, "A"), (8, "I"), (25, "Z"), (26, "AA"), (701, "ZZ"), (702, "AAA")]
)
def test_column_letters(index: int, letters: str) -> None:
    assert column_letter(index) == letters


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2040, 1, 1)))  # noqa: DTZ001
def test_wall_clock_serials_match_astimezone_even_across_dst(naive: datetime) -> None:
    instant = naive.replace(tzinfo=UTC)
    for tz in (NEW_YORK, SH):
        assert WallClock(tz).serial(instant) == pytest.approx(time_serial(instant, tz), abs=1e-9)


def test_wall_clock_handles_the_hour_a_dst_change_happens_in() -> None:
    clock = WallClock(NEW_YORK)
    start = datetime(2022, 3, 13, 6, 0, tzinfo=UTC)  # 01:00 EST; at 07:00 UTC it is 03:00 EDT
    for minutes in range(0, 120, 7):
        instant = start + timedelta(minutes=minutes)
        assert clock.serial(instant) == pytest.approx(time_serial(instant, NEW_YORK), abs=1e-9)
