"""A small streaming .xlsx (SpreadsheetML) writer: rows go straight into the zip, in order.

Why not a library: the ledger's 进展记录 sheet can hold a million rows, and every Python
writer measured (openpyxl write-only, XlsxWriter constant_memory, PyExcelerate) spends
5-10 µs per *cell* on objects and type dispatch; the one Rust writer measured cannot give a
single cell its own fill (the 灯 column). Here a caller formats a whole row as one string
with the cell helpers below, so a row costs a few µs, and memory stays flat: the only
state kept is the styles, the sheet list and a bounded shared-string table.
`benchmarks/bench_xlsx_writers.py` has the measurements.

What it writes is the subset of SpreadsheetML the ledger uses: numbers, inline and shared
strings, dates as serial numbers with a number format, cell styles (font, solid fill,
alignment, number format), column widths, a frozen header row, an autofilter, the header
row repeated on printed pages, A4 landscape fitted to the page width. Sheets are written one
after the other; each must be closed before the next is opened.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from typing import IO

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_TEXT = 32_767
# A sheet part past 2 GiB would need Zip64, which older Excel versions warn about; a caller
# spills to a new sheet well before (see SheetStream.full).
SHEET_BYTES_LIMIT = 1_500_000_000
SHARED_STRINGS_LIMIT = 200_000
_EPOCH = datetime(1899, 12, 30, tzinfo=UTC)  # Excel's day 0 (as Excel counts from 1900)
_EPOCH_DAY = _EPOCH.date().toordinal()
_RISKY = re.compile(r"[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|_x[0-9A-Fa-f]{4}_")
risky_text = _RISKY.search
"""Return a match when a text needs `clean_text` (escapes, control characters, "_x…_")."""
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def column_letter(index: int) -> str:
    """Return the column letter(s) of a 0-based column index (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = _LETTERS[rest] + letters
    return letters


def clean_text(value: str) -> str:
    """Return text safe for a cell: XML-escaped, control characters dropped, capped."""
    if len(value) > EXCEL_MAX_TEXT:
        value = value[:EXCEL_MAX_TEXT]
    if _RISKY.search(value) is None:
        return value
    value = _ILLEGAL.sub("", value).translate(_ESCAPES)
    # Excel reads "_x0041_" in text as an escaped character; escape the underscore itself.
    return re.sub(r"_(x[0-9A-Fa-f]{4}_)", r"_x005F_\1", value)


def day_serial(day: date) -> int:
    """Return Excel's serial number of a day (days since 1899-12-30)."""
    return day.toordinal() - _EPOCH_DAY


def time_serial(instant: datetime, tz: tzinfo) -> float:
    """Return Excel's serial number of an instant's wall-clock time in `tz`.

    Excel has no time zones: a cell holds the local date and time people read.
    """
    wall = instant.astimezone(tz).replace(tzinfo=UTC)  # the local fields, counted as UTC
    return (wall - _EPOCH).total_seconds() / 86400


class WallClock:
    """`time_serial` for millions of instants: the zone's offset is found once a quarter hour.

    Offsets change only at transitions, and a quarter hour holding one is never cached.
    """

    QUARTER = 900
    UNIX_DAY = 25_569  # 1970-01-01 as an Excel serial number

    def __init__(self, tz: tzinfo) -> None:
        self._tz = tz
        self._offsets: dict[int, float | None] = {}

    def _offset(self, seconds: float) -> float:
        instant = datetime.fromtimestamp(seconds, UTC).astimezone(self._tz)
        offset = instant.utcoffset()
        return 0.0 if offset is None else offset.total_seconds()

    def serial(self, instant: datetime) -> float:
        """Return Excel's serial number of this aware instant's wall-clock time."""
        seconds = instant.timestamp()
        quarter = int(seconds // self.QUARTER)
        try:
            offset = self._offsets[quarter]
        except KeyError:
            start = quarter * self.QUARTER
            first, last = self._offset(start), self._offset(start + self.QUARTER - 1)
            offset = first if first == last else None
            if len(self._offsets) > 100_000:
                self._offsets.clear()
            self._offsets[quarter] = offset
        if offset is None:
            return time_serial(instant, self._tz)
        return (seconds + offset) / 86400 + self.UNIX_DAY


def number_cell(ref: str, value: float, style: int = 0) -> str:
    """Return a numeric cell."""
    if style:
        return f'<c r="{ref}" s="{style}"><v>{value!r}</v></c>'
    return f'<c r="{ref}"><v>{value!r}</v></c>'


def text_cell(ref: str, value: str, style: int = 0) -> str:
    """Return an inline-string cell (escapes the text; it never becomes a formula)."""
    value = clean_text(value)
    space = ' xml:space="preserve"' if value[:1].isspace() or value[-1:].isspace() else ""
    styled = f' s="{style}"' if style else ""
    return f'<c r="{ref}"{styled} t="inlineStr"><is><t{space}>{value}</t></is></c>'


def shared_cell(ref: str, index: int, style: int = 0) -> str:
    """Return a cell pointing at a shared string (see XlsxStream.shared)."""
    if style:
        return f'<c r="{ref}" s="{style}" t="s"><v>{index}</v></c>'
    return f'<c r="{ref}" t="s"><v>{index}</v></c>'


@dataclass(frozen=True, slots=True)
class Style:
    """A cell style: font, solid fill, alignment and number format (all optional)."""

    bold: bool = False
    color: str | None = None  # font colour, ARGB hex ("FFFFFFFF")
    fill: str | None = None  # solid fill, ARGB hex
    horizontal: str | None = None  # "center", "left", …
    vertical: str | None = None  # "top", "center", …
    wrap: bool = False
    number_format: str | None = None


@dataclass(frozen=True, slots=True)
class Column:
    """A column's header title and width (in characters, as Excel shows it)."""

    title: str
    width: float


@dataclass(slots=True)
class _SheetInfo:
    name: str
    filter_ref: str | None
    print_titles: bool


class SheetStream:
    """One worksheet being written; append rows in order with `write_rows`, then `close`."""

    def __init__(
        self, book: XlsxStream, index: int, columns: Sequence[Column], header_style: int
    ) -> None:
        self._book = book
        self._info = book._sheets[index]
        self._out = book._zip.open(f"xl/worksheets/sheet{index + 1}.xml", "w")
        self.columns = tuple(columns)
        self.rows = 0
        self.bytes = 0
        selected = ' tabSelected="1"' if index == 0 else ""
        cols = "".join(
            f'<col min="{i}" max="{i}" width="{c.width!r}" customWidth="1"/>'
            for i, c in enumerate(self.columns, start=1)
        )
        self._raw(
            f'{XML_HEAD}<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
            '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
            f'<sheetViews><sheetView workbookViewId="0"{selected}>'
            '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
            "</sheetView></sheetViews>"
            '<sheetFormatPr defaultRowHeight="15"/>'
            f"<cols>{cols}</cols><sheetData>"
        )
        header = "".join(
            text_cell(f"{column_letter(i)}1", c.title, header_style)
            for i, c in enumerate(self.columns)
        )
        self.write_rows([f'<row r="1">{header}</row>'])

    def _raw(self, xml: str) -> None:
        data = xml.encode("utf-8", "replace")
        self.bytes += len(data)
        self._out.write(data)

    def write_rows(self, rows: Sequence[str]) -> None:
        """Append rows, each a `<row r="N">…</row>` string numbered from `self.rows + 1`."""
        self._raw("".join(rows))
        self.rows += len(rows)

    @property
    def full(self) -> bool:
        """Say whether this sheet has reached Excel's row limit (or a safe size)."""
        return self.rows >= EXCEL_MAX_ROWS or self.bytes >= SHEET_BYTES_LIMIT

    def close(self, autofilter: bool = True) -> None:
        """End the sheet: the filter over every row written, margins, A4 landscape."""
        last = column_letter(len(self.columns) - 1)
        ref = f"A1:{last}{max(self.rows, 1)}"
        self._info.filter_ref = ref if autofilter else None
        self._raw(
            "</sheetData>"
            + (f'<autoFilter ref="{ref}"/>' if autofilter else "")
            + '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75"'
            ' header="0.3" footer="0.3"/>'
            '<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>'
            "</worksheet>"
        )
        self._out.close()
        self._book._open_sheet = None


class XlsxStream:
    """A workbook written straight into a zip file as rows arrive; `close` finishes it."""

    def __init__(self, target: IO[bytes], compresslevel: int = 1) -> None:
        # Level 1: the sheet XML is very repetitive, so it still shrinks ~10×, at half the
        # CPU of the default level 6 (measured on the ledger; the file grows ~25 %).
        self._zip = zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel)
        self._sheets: list[_SheetInfo] = []
        self._styles: dict[Style, int] = {Style(): 0}
        self._strings: dict[str, int] = {}
        self._open_sheet: SheetStream | None = None

    def style(self, style: Style) -> int:
        """Return the index of a cell style, registering it on first use."""
        found = self._styles.get(style)
        if found is None:
            found = self._styles[style] = len(self._styles)
        return found

    def shared(self, text: str) -> int | None:
        """Return the shared-string index of a short, repeated text (None once the table is full).

        Use it for values that repeat (unit names, statuses, task ids); one-off text such as a
        note belongs in `text_cell`, or the table grows with the sheet.
        """
        found = self._strings.get(text)
        if found is None:
            if len(self._strings) >= SHARED_STRINGS_LIMIT:
                return None
            found = self._strings[text] = len(self._strings)
        return found

    def add_sheet(
        self,
        name: str,
        columns: Sequence[Column],
        header_style: Style = Style(bold=True),
        print_titles: bool = True,
    ) -> SheetStream:
        """Start a sheet; its header row of column titles is frozen and printed on each page."""
        if self._open_sheet is not None:
            raise RuntimeError(f"close sheet {self._open_sheet._info.name!r} first")
        self._sheets.append(_SheetInfo(name, None, print_titles))
        sheet = SheetStream(self, len(self._sheets) - 1, columns, self.style(header_style))
        self._open_sheet = sheet
        return sheet

    def close(self) -> None:
        """Write the workbook, styles and shared strings, and finish the zip."""
        if self._open_sheet is not None:
            self._open_sheet.close()
        count = len(self._sheets)
        parts = {
            "[Content_Types].xml": self._content_types(count),
            "_rels/.rels": (
                f'{XML_HEAD}<Relationships xmlns="{PKG_REL_NS}"><Relationship Id="rId1" '
                f'Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
            ),
            "xl/workbook.xml": self._workbook(),
            "xl/_rels/workbook.xml.rels": self._workbook_rels(count),
            "xl/styles.xml": self._styles_xml(),
            "xl/sharedStrings.xml": self._shared_strings(),
        }
        for name, xml in parts.items():
            self._zip.writestr(name, xml.encode("utf-8"))
        self._zip.close()

    def _content_types(self, count: int) -> str:
        ct = "application/vnd.openxmlformats-officedocument.spreadsheetml"
        sheets = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{ct}.worksheet+xml"/>'
            for i in range(1, count + 1)
        )
        return (
            f'{XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{ct}.sheet.main+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{ct}.styles+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{ct}.sharedStrings+xml"/>'
            f"{sheets}</Types>"
        )

    def _workbook(self) -> str:
        sheets = "".join(
            f'<sheet name="{clean_text(s.name)}" sheetId="{i}" r:id="rId{i}"/>'
            for i, s in enumerate(self._sheets, start=1)
        )
        names = []
        for i, s in enumerate(self._sheets):
            quoted = "'" + clean_text(s.name).replace("'", "''") + "'"
            if s.filter_ref is not None:
                start, end = s.filter_ref.split(":")
                absolute = f"{_absolute(start)}:{_absolute(end)}"
                names.append(
                    f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" '
                    f'hidden="1">{quoted}!{absolute}</definedName>'
                )
            if s.print_titles:
                names.append(
                    f'<definedName name="_xlnm.Print_Titles" localSheetId="{i}">'
                    f"{quoted}!$1:$1</definedName>"
                )
        defined = f"<definedNames>{''.join(names)}</definedNames>" if names else ""
        return (
            f'{XML_HEAD}<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
            '<bookViews><workbookView activeTab="0"/></bookViews>'
            f"<sheets>{sheets}</sheets>{defined}</workbook>"
        )

    def _workbook_rels(self, count: int) -> str:
        rels = [
            f'<Relationship Id="rId{i}" Type="{REL_NS}/worksheet" '
            f'Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, count + 1)
        ]
        rels.append(
            f'<Relationship Id="rId{count + 1}" Type="{REL_NS}/styles" Target="styles.xml"/>'
        )
        rels.append(
            f'<Relationship Id="rId{count + 2}" Type="{REL_NS}/sharedStrings" '
            'Target="sharedStrings.xml"/>'
        )
        return f'{XML_HEAD}<Relationships xmlns="{PKG_REL_NS}">{"".join(rels)}</Relationships>'

    def _styles_xml(self) -> str:
        formats: dict[str, int] = {}
        fonts: dict[tuple[bool, str | None], int] = {(False, None): 0}
        fills: dict[str | None, int] = {None: 0}  # 1 is Excel's mandatory gray125
        xfs = []
        for style in self._styles:  # insertion order is index order
            num = 0
            if style.number_format is not None:
                num = formats.setdefault(style.number_format, 164 + len(formats))
            font = fonts.setdefault((style.bold, style.color), len(fonts))
            fill = 0 if style.fill is None else fills.setdefault(style.fill, len(fills) + 1)
            align = ""
            if style.horizontal or style.vertical or style.wrap:
                attrs = (
                    (f' horizontal="{style.horizontal}"' if style.horizontal else "")
                    + (f' vertical="{style.vertical}"' if style.vertical else "")
                    + (' wrapText="1"' if style.wrap else "")
                )
                align = f"<alignment{attrs}/>"
            applied = (
                (' applyNumberFormat="1"' if num else "")
                + (' applyFont="1"' if font else "")
                + (' applyFill="1"' if fill else "")
                + (' applyAlignment="1"' if align else "")
            )
            body = f">{align}</xf>" if align else "/>"
            xfs.append(
                f'<xf numFmtId="{num}" fontId="{font}" fillId="{fill}" borderId="0" '
                f'xfId="0"{applied}{body}'
            )
        num_fmts = "".join(
            f'<numFmt numFmtId="{i}" formatCode="{clean_text(code)}"/>'
            for code, i in formats.items()
        )
        font_xml = "".join(
            "<font>"
            + ("<b/>" if bold else "")
            + '<sz val="11"/>'
            + (f'<color rgb="{color}"/>' if color else "")
            + '<name val="Calibri"/><family val="2"/></font>'
            for bold, color in fonts
        )
        fill_xml = '<fill><patternFill patternType="none"/></fill>' + (
            '<fill><patternFill patternType="gray125"/></fill>'
        )
        fill_xml += "".join(
            f'<fill><patternFill patternType="solid"><fgColor rgb="{rgb}"/>'
            '<bgColor indexed="64"/></patternFill></fill>'
            for rgb in fills
            if rgb is not None
        )
        return (
            f'{XML_HEAD}<styleSheet xmlns="{MAIN_NS}">'
            + (f'<numFmts count="{len(formats)}">{num_fmts}</numFmts>' if formats else "")
            + f'<fonts count="{len(fonts)}">{font_xml}</fonts>'
            f'<fills count="{len(fills) + 1}">{fill_xml}</fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border>'
            "</borders>"
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
            "</cellStyleXfs>"
            f'<cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
            "</cellStyles></styleSheet>"
        )

    def _shared_strings(self) -> str:
        items = "".join(
            f'<si><t xml:space="preserve">{clean_text(s)}</t></si>' for s in self._strings
        )
        n = len(self._strings)
        return f'{XML_HEAD}<sst xmlns="{MAIN_NS}" count="{n}" uniqueCount="{n}">{items}</sst>'


def _absolute(ref: str) -> str:
    """Return a cell reference made absolute: "K67" → "$K$67"."""
    letters = ref.rstrip("0123456789")
    return f"${letters}${ref[len(letters) :]}"
