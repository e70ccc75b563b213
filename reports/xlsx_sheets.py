"""The ledger workbook's two sheets, streamed row by row (reports/xlsx_stream.py).

Memory stays flat however many entries there are: rows go into a zip in a temporary file
as they come, and `save_workbook` copies the finished file to its target.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO
from zoneinfo import ZoneInfo

from reports.model import CATEGORY_NAMES, Category, ReportRow
from reports.render import pace_text
from reports.xlsx_stream import (
    EXCEL_MAX_ROWS,
    EXCEL_MAX_TEXT,
    Column,
    SheetStream,
    Style,
    WallClock,
    XlsxStream,
    clean_text,
    day_serial,
    number_cell,
    risky_text,
    text_cell,
    time_serial,
)
from storage.report_queries import LedgerEntry
from vocabulary import DEFAULT_TZ, ROLE_NAMES, STATUS_NAMES, cn_date

__all__ = [
    "CATEGORY_ZH",
    "ENTRIES_SHEET",
    "ENTRY_COLUMNS",
    "EXCEL_MAX_ROWS",
    "LEDGER_COLUMNS",
    "LEDGER_SHEET",
    "LIGHT_ZH",
    "ROLE_ZH",
    "STATUS_ZH",
    "EntriesSheet",
    "LedgerWorkbook",
    "new_workbook",
    "save_workbook",
    "write_ledger_sheet",
]

LEDGER_SHEET = "督办台账"
ENTRIES_SHEET = "进展记录"

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
    ("灯的原因", 20),
    ("目标进度", 26),
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
    ("佐证附件", 24),
)
ROLE_ZH: dict[str, str] = dict(ROLE_NAMES.items())
CATEGORY_ZH = CATEGORY_NAMES
STATUS_ZH: dict[str, str] = dict(STATUS_NAMES.items())
LIGHT_ZH = {"done": "办结", "red": "红", "yellow": "黄", "green": "绿"}
LIGHT_FILL = {"done": "FF2E7D32", "red": "FFE53935", "yellow": "FFFFD54F", "green": "FF66BB6A"}
HEADER = Style(bold=True, fill="FFD9E1F2", horizontal="center", vertical="center")
WRAP = Style(wrap=True, vertical="top")
DATETIME = Style(number_format="yyyy-mm-dd hh:mm")
ENTRY_TIME = Style(number_format="yyyy-mm-dd hh:mm:ss")
DAY = Style(number_format="yyyy-mm-dd")
# Rows are handed to the zip in runs of this many: big enough that the per-call cost
# vanishes, small enough that a run's text stays a few MB.
FLUSH_ROWS = 5_000
# Distinct repeated values (task ids, units, reporters) kept as ready-made cell tails.
FRAGMENT_CACHE = 50_000


class LedgerWorkbook:
    """The workbook being streamed into a temporary file; finish it with `save_workbook`."""

    def __init__(self) -> None:
        self.spool: IO[bytes] = tempfile.TemporaryFile(prefix="duban-ledger-")  # noqa: SIM115
        self.stream = XlsxStream(self.spool)

    def sheet(self, name: str, columns: tuple[tuple[str, int], ...]) -> SheetStream:
        """Start a sheet with the ledger's header, frozen, filtered and printed landscape."""
        return self.stream.add_sheet(name, [Column(t, w) for t, w in columns], HEADER)


def _milestones_text(row: ReportRow) -> str:
    if row.milestones_text:
        return row.milestones_text
    parts = []
    for m in row.open_milestones:
        when = cn_date(m.due) if m.due else "持续推进"
        parts.append(f"{m.action} {when}" if m.action else when)
    return "；".join(parts)


def _why(row: ReportRow) -> str:
    """Return a row's reason and flags: 逾期 1月31日；待验收；未报（35天）；暂停至7月15日."""
    parts = [row.reason] if row.reason and row.reason != "待验收" else []
    if row.awaiting:
        parts.append("待验收")
    if row.unreported:
        parts.append(f"未报（{row.silent_days}天）" if row.silent_days else "未报")
    if row.paused_until is not None:
        parts.append(f"暂停至{cn_date(row.paused_until)}")
    return "；".join(parts)


def _text(ref: str, value: str | None, style: int = 0) -> str:
    return text_cell(ref, value, style) if value else ""


def write_ledger_sheet(
    book: LedgerWorkbook,
    rows: Iterable[ReportRow],
    categories: Mapping[tuple[str, str], Category],
    tz: ZoneInfo = DEFAULT_TZ,
) -> int:
    """Write the 督办台账 sheet, a row per (task, unit); return how many rows it has."""
    sheet = book.sheet(LEDGER_SHEET, LEDGER_COLUMNS)
    stream = book.stream
    wrap = stream.style(WRAP)
    when = stream.style(DATETIME)
    lights = {
        light: stream.style(
            Style(
                bold=light in ("done", "red"),
                color="FFFFFFFF" if light in ("done", "red") else None,
                fill=fill,
                horizontal="center",
                vertical="top",
            )
        )
        for light, fill in LIGHT_FILL.items()
    }
    count = 0
    out = []
    for count, row in enumerate(rows, start=1):
        r = count + 1
        status = STATUS_ZH.get(row.status or "", "")
        note = f"（{status}）{row.note or ''}" if status else row.note
        out.append(
            f'<row r="{r}">'
            + number_cell(f"A{r}", count)
            + _text(f"B{r}", row.task)
            + _text(f"C{r}", row.title, wrap)
            + _text(f"D{r}", row.unit)
            + _text(f"E{r}", ROLE_ZH.get(row.role, row.role))
            + _text(f"F{r}", row.deadline_text, wrap)
            + _text(f"G{r}", _milestones_text(row), wrap)
            + _text(f"H{r}", note, wrap)
            + _text(f"I{r}", CATEGORY_ZH[categories[(row.task, row.unit)]])
            + text_cell(f"J{r}", LIGHT_ZH[row.light], lights[row.light])
            + (
                number_cell(f"K{r}", time_serial(row.updated_at, tz), when)
                if row.updated_at is not None
                else ""
            )
            + _text(f"L{r}", _why(row), wrap)
            + _text(f"M{r}", pace_text(row), wrap)
            + "</row>"
        )
    sheet.write_rows(out)
    sheet.close()
    return count


class EntriesSheet:
    """The 进展记录 sheet(s), filled chunk by chunk; spills to a new sheet at Excel's row limit."""

    def __init__(
        self, book: LedgerWorkbook, tz: ZoneInfo = DEFAULT_TZ, max_rows: int = EXCEL_MAX_ROWS
    ) -> None:
        self._book = book
        self._tz = tz
        self._max_rows = max_rows  # header included
        self._sheets = 0
        self._sheet: SheetStream | None = None
        self._time = book.stream.style(ENTRY_TIME)
        self._day = book.stream.style(DAY)
        self._fragments: dict[str, str] = {}
        self._clock = WallClock(tz)
        self.count = 0

    def _next_sheet(self) -> SheetStream:
        if self._sheet is not None:
            self._sheet.close()
        self._sheets += 1
        name = ENTRIES_SHEET if self._sheets == 1 else f"{ENTRIES_SHEET}{self._sheets}"
        self._sheet = self._book.sheet(name, ENTRY_COLUMNS)
        return self._sheet

    def _tail(self, value: str) -> str:
        """Return what follows `<c r="X9"` for a repeated text: a shared string if it can."""
        found = self._fragments.get(value)
        if found is None:
            index = self._book.stream.shared(value) if value else None
            if index is not None:
                found = f' t="s"><v>{index}</v></c>'
            else:
                found = f' t="inlineStr"><is><t>{clean_text(value)}</t></is></c>'
            if len(self._fragments) < FRAGMENT_CACHE:
                self._fragments[value] = found
        return found

    def add(self, entries: Iterable[LedgerEntry]) -> None:
        """Append entries in the order given."""
        # The hot loop of a million-entry export: one f-string per row, repeated texts as
        # ready-made cell tails, notes escaped only when they need it.
        sheet = self._sheet or self._next_sheet()
        tails, tail, when = self._fragments, self._tail, self._clock.serial
        status_zh = STATUS_ZH
        time_style, day_style, max_rows = self._time, self._day, self._max_rows
        out: list[str] = []
        r = sheet.rows
        for task, unit, status, note, percent, proposed, reporter, at, files in entries:
            if r >= max_rows:
                sheet.write_rows(out)
                out = []
                sheet = self._next_sheet()
                r = sheet.rows
            r += 1
            self.count += 1
            status = status_zh.get(status, status)
            note_cell = ""
            if note:
                if len(note) > EXCEL_MAX_TEXT or risky_text(note):
                    note = clean_text(note)
                edge = note[:1].isspace() or note[-1:].isspace()
                space = ' xml:space="preserve"' if edge else ""
                note_cell = f'<c r="E{r}" t="inlineStr"><is><t{space}>{note}</t></is></c>'
            out.append(
                f'<row r="{r}"><c r="A{r}"><v>{self.count}</v></c>'
                f'<c r="B{r}"{tails.get(task) or tail(task)}'
                f'<c r="C{r}"{tails.get(unit) or tail(unit)}'
                f'<c r="D{r}"{tails.get(status) or tail(status)}'
                + note_cell
                + (f'<c r="F{r}"><v>{percent}</v></c>' if percent is not None else "")
                + (
                    f'<c r="G{r}" s="{day_style}"><v>{day_serial(proposed)}</v></c>'
                    if proposed is not None
                    else ""
                )
                + (f'<c r="H{r}"{tails.get(reporter) or tail(reporter)}' if reporter else "")
                + f'<c r="I{r}" s="{time_style}"><v>{when(at)!r}</v></c>'
                + (text_cell(f"J{r}", files) if files else "")
                + "</row>"
            )
            if len(out) >= FLUSH_ROWS:
                sheet.write_rows(out)
                out = []
                if sheet.full:
                    sheet = self._next_sheet()
                    r = sheet.rows
        sheet.write_rows(out)

    def finish(self) -> None:
        """Make sure the sheet exists (even with no entries) and close it."""
        sheet = self._sheet or self._next_sheet()
        sheet.close()


def new_workbook() -> LedgerWorkbook:
    """Return an empty streaming workbook."""
    return LedgerWorkbook()


def save_workbook(book: LedgerWorkbook, target: str | Path | IO[bytes]) -> None:
    """Finish the workbook and copy it to a path or a binary stream."""
    book.stream.close()
    spool = book.spool
    try:
        spool.seek(0)
        if isinstance(target, str | Path):
            with open(target, "wb") as out:
                shutil.copyfileobj(spool, out, 1 << 20)
        else:
            shutil.copyfileobj(spool, target, 1 << 20)
    finally:
        spool.close()
