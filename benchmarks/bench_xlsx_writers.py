"""Candidate xlsx writers side by side, on the ledger's real sheet shape (no database).

Run: .venv/bin/python benchmarks/bench_xlsx_writers.py [--rows N] [--repeat R]
     [--only NAME ...]

Each candidate writes the same workbook the ledger export writes: a 督办台账 sheet of
(task, unit) rows with a filled light cell, then a 进展记录 sheet of N entries (9 columns:
number, task, unit, status, note, percent, proposed date, reporter, local time), both with
bold filled header, column widths, frozen header, autofilter, A4 landscape fit to width and
the header repeated on every printed page. The entries come from a generator, as they would
from a streamed query, so a writer that keeps them in memory shows it in its peak RSS.

Every run is a fresh child process, so its peak RSS is its own (the interpreter and the
imports are 20-60 MB of it). Figures are medians over --repeat runs, with min and max, each
beside openpyxl's (the writer the ledger used before). Candidates that cannot express part
of the layout say so in their note. Only openpyxl is a dependency of duban: the others are
measured when installed (`pip install xlsxwriter pyexcelerate rustpy-xlsxwriter`).

Candidates: openpyxl (write-only mode, today's writer); xlsxwriter (XlsxWriter with
constant_memory); pyexcelerate; rustpy (rustpy-xlsxwriter, Rust, constant memory); and
xlsxwriter-fast, the XlsxWriter candidate with the cheap tricks the real writer may use
(datetimes turned into Excel serial numbers once, strings written without type dispatch).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import Figure, Timing, peak_rss_mb, print_figures, run_child
from vocabulary import Light

HEADER_LEDGER = [
    ("序号", 6), ("任务编号", 9), ("重点任务", 36), ("责任科室", 12), ("角色", 6),
    ("完成时限", 22), ("节点", 30), ("最新进展", 40), ("状态", 9), ("灯", 6), ("更新时间", 17),
]  # fmt: skip
HEADER_ENTRIES = [
    ("序号", 9), ("任务编号", 9), ("责任科室", 12), ("状态", 9), ("进展说明", 50),
    ("百分比", 7), ("拟调整日期", 12), ("填报人", 14), ("填报时间", 17),
]  # fmt: skip
UNITS = ["社救科", "社区科", "社会事务科", "救助管理站", "殡葬科", "婚姻科", "综合办"]
STATUSES = ["进行中"] * 8 + ["遇到困难", "已完成", "申请延期"]
NOTES = [
    "已完成3家机构洽谈", "60% 已签约3家", "选址未定，需协调街道", "按计划推进",
    "正在起草实施方案，预计月底前报局党组审议", "=HYPERLINK(1)",
]  # fmt: skip
LIGHTS = {"完成": "2E7D32", "红": "E53935", "黄": "FFD54F", "绿": "66BB6A"}
HEADER_FILL = "D9E1F2"
SH = ZoneInfo("Asia/Shanghai")
START = datetime(2022, 1, 4, 9)  # noqa: DTZ001  # Excel's wall-clock times are naive
LEDGER_ROWS = 66
Entry = tuple[int, str, str, str, str | None, int | None, date | None, str, datetime]
Ledger = tuple[int, str, str, str, str, str, str, str, str, str, datetime]


def entries(count: int) -> Iterator[Entry]:
    """Yield `count` entries shaped like the ledger's (mostly unique notes, as in real use)."""
    for n in range(1, count + 1):
        note = None if n % 5 == 0 else f"{NOTES[n % len(NOTES)]}（{n}）"
        if n % 97 == 0:
            note = NOTES[-1]  # a note that looks like a formula must stay text
        percent = None if n % 3 else (n * 7) % 100
        proposed = date(2022, 9, 30) if n % 11 == 0 else None
        yield (
            n,
            f"{n % 9 + 1}.{n % 5 + 1}",
            UNITS[n % 7],
            STATUSES[n % len(STATUSES)],
            note,
            percent,
            proposed,
            "王科长",
            START + timedelta(seconds=n * 29),
        )


def ledger_rows() -> list[Ledger]:
    """Return the 督办台账 rows (66 like the seed plan)."""
    lights = list(LIGHTS)
    return [
        (
            n,
            f"{n % 9 + 1}.{n % 5 + 1}",
            "构建综合救助格局，推进社会救助体系建设",
            UNITS[n % 7],
            "牵头",
            "6月底前完成协议签署，下半年实施服务",
            "完成协议签署 6月30日",
            "（进行中）起草中",
            "进行中",
            lights[n % 4],
            START + timedelta(days=n),
        )
        for n in range(1, LEDGER_ROWS + 1)
    ]


# --- openpyxl, write-only (today's writer) --------------------------------------------------


def write_openpyxl(path: Path, count: int) -> None:
    """Write with openpyxl's write-only workbook (styled cells only where needed)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.properties import PageSetupProperties

    book = Workbook(write_only=True)
    header_fill = PatternFill("solid", fgColor="FF" + HEADER_FILL)
    fills = {k: PatternFill("solid", fgColor="FF" + v) for k, v in LIGHTS.items()}

    def setup(sheet: Any, columns: list[tuple[str, int]]) -> None:
        for index, (_, width) in enumerate(columns):
            sheet.column_dimensions[chr(65 + index)].width = width
        sheet.freeze_panes = "A2"
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = 9
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        sheet.print_title_rows = "1:1"
        header = []
        for title, _ in columns:
            cell = WriteOnlyCell(sheet, title)
            cell.font = Font(bold=True)
            cell.fill = header_fill
            cell.alignment = Alignment(horizontal="center")
            header.append(cell)
        sheet.append(header)

    sheet = book.create_sheet("督办台账")
    setup(sheet, HEADER_LEDGER)
    rows = ledger_rows()
    for row in rows:
        light = WriteOnlyCell(sheet, row[9])
        light.fill = fills[row[9]]
        sheet.append([*row[:9], light, row[10]])
    sheet.auto_filter.ref = f"A1:K{len(rows) + 1}"
    sheet = book.create_sheet("进展记录")
    setup(sheet, HEADER_ENTRIES)
    last = 1
    for entry in entries(count):
        note: Any = entry[4]
        if note and note[:1] == "=":
            note = WriteOnlyCell(sheet, note)
            note.data_type = "s"
        sheet.append([*entry[:4], note, *entry[5:]])
        last += 1
    sheet.auto_filter.ref = f"A1:I{last}"
    book.save(path)


# --- XlsxWriter, constant_memory ------------------------------------------------------------


def _xlsxwriter_book(path: Path) -> tuple[Any, Callable[..., Any], dict[str, Any]]:
    import xlsxwriter

    book = xlsxwriter.Workbook(
        str(path), {"constant_memory": True, "strings_to_formulas": False, "use_zip64": True}
    )
    formats = {
        "header": book.add_format(
            {"bold": True, "bg_color": "#" + HEADER_FILL, "align": "center", "pattern": 1}
        ),
        "wrap": book.add_format({"text_wrap": True, "valign": "top"}),
        "datetime": book.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
        "date": book.add_format({"num_format": "yyyy-mm-dd"}),
        **{
            k: book.add_format({"bg_color": "#" + v, "pattern": 1, "align": "center"})
            for k, v in LIGHTS.items()
        },
    }

    def setup(sheet: Any, columns: list[tuple[str, int]]) -> None:
        for index, (title, width) in enumerate(columns):
            sheet.set_column(index, index, width)
            sheet.write_string(0, index, title, formats["header"])
        sheet.freeze_panes(1, 0)
        sheet.set_landscape()
        sheet.set_paper(9)
        sheet.fit_to_pages(1, 0)
        sheet.repeat_rows(0)

    return book, setup, formats


def write_xlsxwriter(path: Path, count: int) -> None:
    """Write with XlsxWriter in constant_memory mode, one typed call per cell."""
    book, setup, formats = _xlsxwriter_book(path)
    sheet = book.add_worksheet("督办台账")
    setup(sheet, HEADER_LEDGER)
    rows = ledger_rows()
    for r, row in enumerate(rows, start=1):
        sheet.write_number(r, 0, row[0])
        for c in range(1, 9):
            sheet.write_string(r, c, row[c], formats["wrap"])
        sheet.write_string(r, 9, row[9], formats[row[9]])
        sheet.write_datetime(r, 10, row[10], formats["datetime"])
    sheet.autofilter(0, 0, len(rows), 10)
    sheet = book.add_worksheet("进展记录")
    setup(sheet, HEADER_ENTRIES)
    date_format, datetime_format = formats["date"], formats["datetime"]
    r = 0
    for r, (n, task, unit, status, note, percent, proposed, who, at) in enumerate(
        entries(count), start=1
    ):
        sheet.write_number(r, 0, n)
        sheet.write_string(r, 1, task)
        sheet.write_string(r, 2, unit)
        sheet.write_string(r, 3, status)
        if note:
            sheet.write_string(r, 4, note)
        if percent is not None:
            sheet.write_number(r, 5, percent)
        if proposed is not None:
            sheet.write_datetime(r, 6, proposed, date_format)
        sheet.write_string(r, 7, who)
        sheet.write_datetime(r, 8, at, datetime_format)
    sheet.autofilter(0, 0, r, 8)
    book.close()


EPOCH = datetime(1899, 12, 30)  # noqa: DTZ001  # Excel's day 0, naive like its times


def write_xlsxwriter_fast(path: Path, count: int) -> None:
    """XlsxWriter constant_memory, with serial numbers computed here and bound methods."""
    book, setup, formats = _xlsxwriter_book(path)
    sheet = book.add_worksheet("督办台账")
    setup(sheet, HEADER_LEDGER)
    sheet.autofilter(0, 0, LEDGER_ROWS, 10)
    for r, row in enumerate(ledger_rows(), start=1):
        sheet.write_number(r, 0, row[0])
        for c in range(1, 9):
            sheet.write_string(r, c, row[c], formats["wrap"])
        sheet.write_string(r, 9, row[9], formats[row[9]])
        sheet.write_datetime(r, 10, row[10], formats["datetime"])
    sheet = book.add_worksheet("进展记录")
    setup(sheet, HEADER_ENTRIES)
    date_format, datetime_format = formats["date"], formats["datetime"]
    number, string = sheet.write_number, sheet.write_string
    r = 0
    for r, (n, task, unit, status, note, percent, proposed, who, at) in enumerate(
        entries(count), start=1
    ):
        number(r, 0, n)
        string(r, 1, task)
        string(r, 2, unit)
        string(r, 3, status)
        if note:
            string(r, 4, note)
        if percent is not None:
            number(r, 5, percent)
        if proposed is not None:
            number(r, 6, (proposed - EPOCH.date()).days, date_format)
        string(r, 7, who)
        number(r, 8, (at - EPOCH).total_seconds() / 86400, datetime_format)
    sheet.autofilter(0, 0, r, 8)
    book.close()


# --- PyExcelerate -----------------------------------------------------------------------------


def write_pyexcelerate(path: Path, count: int) -> None:
    """Write with PyExcelerate (whole sheets in memory; no page setup in its API)."""
    from pyexcelerate import Alignment, Color, Fill, Font, Style, Workbook

    book = Workbook()
    header_style = Style(
        font=Font(bold=True),
        fill=Fill(background=Color(0xD9, 0xE1, 0xF2)),
        alignment=Alignment(horizontal="center"),
    )

    def rgb(text: str) -> Any:
        return Color(int(text[:2], 16), int(text[2:4], 16), int(text[4:], 16))

    def setup(sheet: Any, columns: list[tuple[str, int]], rows: int) -> None:
        from pyexcelerate import Panes

        for index, (_, width) in enumerate(columns, start=1):
            sheet.set_col_style(index, Style(size=width))
        for index in range(1, len(columns) + 1):
            sheet.set_cell_style(1, index, header_style)
        sheet.panes = Panes(y=1)
        sheet.auto_filter = True
        del rows

    rows = ledger_rows()
    data: list[list[Any]] = [[t for t, _ in HEADER_LEDGER], *[list(r) for r in rows]]
    sheet = book.new_sheet("督办台账", data=data)
    setup(sheet, HEADER_LEDGER, len(rows))
    for r, row in enumerate(rows, start=2):
        sheet.set_cell_style(r, 10, Style(fill=Fill(background=rgb(LIGHTS[row[9]]))))
    # Its data must be a list of lists: the whole sheet sits in memory before saving.
    data = [[t for t, _ in HEADER_ENTRIES], *[list(e) for e in entries(count)]]
    sheet = book.new_sheet("进展记录", data=data)
    setup(sheet, HEADER_ENTRIES, count)
    book.save(str(path))


# --- rustpy-xlsxwriter ---------------------------------------------------------------------


def write_rustpy(path: Path, count: int) -> None:
    """Write with rustpy-xlsxwriter (Rust); dict records, per-column formats only."""
    import rustpy_xlsxwriter as rx

    titles_l = [t for t, _ in HEADER_LEDGER]
    titles_e = [t for t, _ in HEADER_ENTRIES]
    header = rx.Format().set_bold().set_background_color("#" + HEADER_FILL).set_align("center")
    page = {"landscape": True, "paper_size": 9, "fit_to_pages": (1, 0), "repeat_rows": 0}
    ledger = [dict(zip(titles_l, row, strict=True)) for row in ledger_rows()]

    def records() -> Iterator[dict[str, Any]]:
        for e in entries(count):
            yield dict(zip(titles_e, e, strict=True))

    # No per-cell format: the light's colour can only be a conditional format, which a
    # reader of cell fills (openpyxl, our tests, other tools) does not see.
    lights = {
        "灯": [
            {"type": "text", "criteria": "begins_with", "value": k,
             "format": rx.Format().set_background_color("#" + v)}
            for k, v in LIGHTS.items()
        ]
    }  # fmt: skip
    rx.write_worksheet(
        ledger, str(path) + ".ledger.xlsx", sheet_name="督办台账", freeze_row=1,
        column_widths=[w for _, w in HEADER_LEDGER], header_format=header, autofilter=True,
        page_setup=page, conditional_formats=lights, datetime_format="yyyy-mm-dd hh:mm",
    )  # fmt: skip
    # Two sheets, one generator: write_worksheets takes (name, data) pairs but a single set
    # of options, so per-sheet widths need the per-sheet variant; the entries sheet is the
    # one that costs, so time it alone, into the real target.
    rx.write_worksheet(
        records(), str(path), sheet_name="进展记录", freeze_row=1,
        column_widths=[w for _, w in HEADER_ENTRIES], header_format=header, autofilter=True,
        page_setup=page, datetime_format="yyyy-mm-dd hh:mm",
    )  # fmt: skip


# --- duban's own streaming writer (reports/xlsx_stream.py), the real ledger code -------------


def write_duban(path: Path, count: int) -> None:
    """Write with the ledger's own sheets (reports/xlsx_sheets.py on reports/xlsx_stream.py)."""
    from reports.model import OpenMilestone, ReportRow
    from reports.xlsx_sheets import EntriesSheet, new_workbook, save_workbook, write_ledger_sheet
    from storage.report_queries import LedgerEntry

    codes = {
        "进行中": "in_progress",
        "遇到困难": "blocked",
        "已完成": "done",
        "申请延期": "extension",
    }
    lights: dict[str, Light] = {"完成": "done", "红": "red", "黄": "yellow", "绿": "green"}
    rows = [
        ReportRow(
            r[1],
            r[3],
            r[2],
            "lead",
            lights[r[9]],
            "in_progress",
            "起草中",
            r[10].replace(tzinfo=SH),
            None,
            1,
            (OpenMilestone("完成协议签署", date(2022, 6, 30)),),
            r[5],
            r[6],
        )
        for r in ledger_rows()
    ]
    book = new_workbook()
    write_ledger_sheet(book, rows, {(r.task, r.unit): "in_progress" for r in rows})
    sheet = EntriesSheet(book)
    batch: list[LedgerEntry] = []
    for _, task, unit, status, note, percent, proposed, who, at in entries(count):
        batch.append(
            LedgerEntry(
                task, unit, codes[status], note, percent, proposed, who, at.replace(tzinfo=SH)
            )
        )
        if len(batch) == 10_000:  # as stream_entries hands them over
            sheet.add(batch)
            batch = []
    sheet.add(batch)
    sheet.finish()
    save_workbook(book, path)


CANDIDATES: dict[str, tuple[Callable[[Path, int], None], str]] = {
    "openpyxl": (write_openpyxl, "everything (today's writer)"),
    "xlsxwriter": (write_xlsxwriter, "everything"),
    "xlsxwriter-fast": (write_xlsxwriter_fast, "everything"),
    "pyexcelerate": (
        write_pyexcelerate,
        "no landscape/A4/fit/print titles API; all rows in memory",
    ),
    "rustpy": (
        write_rustpy,
        "no per-cell fill (light colour only as conditional format); one sheet per call",
    ),
    "duban": (write_duban, "everything (the ledger's code: reports/xlsx_stream.py)"),
}


MODULES = {
    "openpyxl": "openpyxl",
    "xlsxwriter": "xlsxwriter",
    "xlsxwriter-fast": "xlsxwriter",
    "pyexcelerate": "pyexcelerate",
    "rustpy": "rustpy_xlsxwriter",
    "duban": "reports",
}
PIP_NAMES = {"rustpy_xlsxwriter": "rustpy-xlsxwriter"}


def installed(name: str) -> bool:
    """Say whether a candidate's package is installed (only openpyxl is a dependency)."""
    return importlib.util.find_spec(MODULES[name]) is not None


def child(name: str, count: int) -> None:
    """Run one candidate in this process and print its figures as JSON."""
    with tempfile.TemporaryDirectory(prefix="duban-xlsx-") as tmp:
        target = Path(tmp) / "ledger.xlsx"
        CANDIDATES[name][0](target, 10)  # imports and first-use costs stay out of the timing
        started, cpu = time.perf_counter(), time.process_time()
        CANDIDATES[name][0](target, count)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        size = target.stat().st_size
    print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_mb": peak_rss_mb(), "bytes": size}))


def compare(names: list[str], rows: int, repeat: int) -> list[Figure]:
    """Run each candidate `repeat` times, each run in a fresh process; return its figures."""
    figures = []
    reference: tuple[str, float, float] | None = None
    for name in names:
        if not installed(name):
            module = MODULES[name]
            figures.append(
                Figure(
                    f"xlsx writer {name}, {rows:,} entries",
                    float("nan"),
                    "s",
                    note=f"not installed: pip install {PIP_NAMES.get(module, module)}",
                )
            )
            continue
        runs = [run_child(Path(__file__), "--child", name, "--rows", str(rows))]
        runs += [
            run_child(Path(__file__), "--child", name, "--rows", str(rows))
            for _ in range(repeat - 1)
        ]
        seconds = Timing.of([r["seconds"] for r in runs])
        peak = Timing.of([r["peak_mb"] for r in runs])
        if reference is None:
            reference = (name, seconds.median, peak.median)
        label = f"{reference[0]} (today's writer)"
        figures.append(
            Figure(
                f"xlsx writer {name}, {rows:,} entries",
                seconds.median,
                "s",
                reference=label,
                reference_value=reference[1],
                spread=(seconds.low, seconds.high),
                note=CANDIDATES[name][1],
                extra={
                    "file_mb": round(runs[0]["bytes"] / 1e6, 1),
                    # CPU time wanders less than wall time on a shared machine.
                    "cpu_s": round(Timing.of([r["cpu"] for r in runs]).median, 3),
                },
            )
        )
        figures.append(
            Figure(
                f"xlsx writer {name} peak RSS, {rows:,} entries",
                peak.median,
                "MB",
                reference=label,
                reference_value=reference[2],
                spread=(peak.low, peak.high),
            )
        )
    return figures


def measure(quick: bool) -> list[Figure]:
    """Return every candidate's figures (quick: 20,000 entries, one run each)."""
    if quick:
        return compare(list(CANDIDATES), 20_000, 1)
    return compare(list(CANDIDATES), 200_000, 3)


def main() -> None:
    """Run every candidate `repeat` times and print medians side by side."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", nargs="*", choices=list(CANDIDATES))
    parser.add_argument("--child", choices=list(CANDIDATES), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.rows)
        return
    print(f"{args.rows:,} entries + {LEDGER_ROWS} ledger rows, {args.repeat} runs each")
    names = args.only or list(CANDIDATES)
    print_figures(compare(names, args.rows, args.repeat))


if __name__ == "__main__":
    main()
