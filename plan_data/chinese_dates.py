"""The Chinese date grammar shared by plan deadlines and dates people type.

Expressions are read without a year context (`3月上旬`, `下半年`, `2023年底`) and
resolved later against a plan year or, for typed dates, against today.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
           "六": 6, "七": 7, "八": 8, "九": 9}

# A number as people write it in dates: 1-2 Arabic digits or up to three Chinese numerals.
NUM = r"(?:\d{1,2}|[零〇一二两三四五六七八九十]{1,3})"
# A year written out, or redacted in a plan shared as a template (`20*年`, `20XX年`): a
# redacted year stands for the plan year, so it is matched and read as no year at all.
REDACTED_YEAR = r"(?<![\d*xX×])\d{0,3}[*xX×]{1,4}(?=年)"
_YEAR = rf"(?:(?:(?P<y>\d{{4}})|{REDACTED_YEAR})年)?"
# A weekday written after a date, `3月4日（星期五）`: kept to check it against the date.
_WEEKDAY_NOTE = r"(?:\((?:星期|周|礼拜)(?P<wd>[一二三四五六日天])\))?"
WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}


def normalize(text: str) -> str:
    """Return text with full-width forms made half-width and all whitespace removed."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def cn_int(text: str) -> int | None:
    """Return the value of a small number written in digits or Chinese numerals."""
    if text.isdigit():
        return int(text)
    if not text or any(ch not in _DIGITS and ch != "十" for ch in text):
        return None
    if "十" not in text:
        return _DIGITS[text] if len(text) == 1 else None
    tens, _, units = text.partition("十")
    if "十" in units or len(tens) > 1 or len(units) > 1:
        return None
    return (_DIGITS[tens] if tens else 1) * 10 + (_DIGITS[units] if units else 0)


def month_end(year: int, month: int) -> int:
    """Return the last day of the month."""
    return calendar.monthrange(year, month)[1]


@dataclass(frozen=True, slots=True)
class TimeExpr:
    """A date or a window written without context: resolved against a year later.

    `first_month` is None for a point in time; otherwise the window runs from the first
    day of `first_month` to the end point. `day` None means the end of `month`.
    """

    year: int | None
    month: int
    day: int | None
    first_month: int | None = None
    kind: str = "calendar"
    weekday: int | None = None  # as written beside the date (Monday 0), to be checked

    @property
    def is_period(self) -> bool:
        """Return whether this is a window rather than a point in time."""
        return self.first_month is not None

    def end(self, year: int) -> date:
        """Return the end point, using `year` unless the text named one."""
        y = year if self.year is None else self.year
        return date(y, self.month, self.day or month_end(y, self.month))

    def start(self, year: int) -> date | None:
        """Return the first day of the window, or None for a point in time."""
        if self.first_month is None:
            return None
        return date(year if self.year is None else self.year, self.first_month, 1)


@dataclass(frozen=True, slots=True)
class TimeMatch:
    """A time expression found in normalized text, with where it sits."""

    expr: TimeExpr
    start: int
    end: int


# 上旬 ends on the 10th, 中旬 on the 20th, 下旬 with the month (issue 14; DESIGN once said 15th).
PARTS: dict[str, int | None] = {
    "上旬": 10, "初": 10, "中旬": 20, "中": 15, "下旬": None, "底": None, "末": None,
}

# The day's 日/号 may be left out (`7月15`, `七月十五`), as people often do.
_CALENDAR = re.compile(
    rf"(?<!\d){_YEAR}(?P<m>{NUM})月份?"
    rf"(?:(?P<d>{NUM})[日号]?{_WEEKDAY_NOTE}|(?P<part>上旬|中旬|下旬|初|中|底|末))?"
)
_ISO = re.compile(r"(?<!\d)(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?!\d)")
_SLASH = re.compile(r"(?<![\d/])(?P<m>\d{1,2})/(?P<d>\d{1,2})(?![\d/])")
_RANGE = re.compile(
    rf"(?<!\d){_YEAR}(?P<m1>{NUM})月?份?(?:至|到|-|~|—|－)(?P<m2>{NUM})月份?(?:底|末)?"
)
_YEAR_END = re.compile(
    rf"(?:(?P<y>\d{{4}})|{REDACTED_YEAR}|今|本|(?<![\d零〇一二两三四五六七八九十年*xX×]))"
    r"年年?(?:底|末|内)"
)
_HALF = re.compile(rf"{_YEAR}(?P<h>上|下)半年(?P<end>末|底)?")
_QUARTER = re.compile(
    rf"{_YEAR}(?:第?(?P<q>[一二三四1-4])季度|[Qq](?P<qq>[1-4]))(?P<end>末|底)?"
)
_FULL_YEAR = re.compile(rf"{_YEAR}全年")


def _year(m: re.Match[str]) -> int | None:
    y = m.groupdict().get("y")
    return int(y) if y else None


def _calendar(m: re.Match[str]) -> TimeExpr | None:
    month = cn_int(m["m"])
    day = cn_int(m["d"]) if m["d"] else None
    if m["d"] is None and m.groupdict().get("part"):
        day = PARTS[m["part"]]
    if month is None or not 1 <= month <= 12 or (m["d"] and (day is None or not 1 <= day <= 31)):
        return None
    if day is not None and day > month_end(_year(m) or 2000, month):
        return None  # 2000 is a leap year: 2月29日 stays readable without a year
    weekday = m.groupdict().get("wd")
    return TimeExpr(_year(m), month, day, weekday=WEEKDAYS[weekday] if weekday else None)


def _range(m: re.Match[str]) -> TimeExpr | None:
    first, last = cn_int(m["m1"]), cn_int(m["m2"])
    if first is None or last is None or not 1 <= first < last <= 12:
        return None
    return TimeExpr(_year(m), last, None, first_month=first, kind="range")


def _year_end(m: re.Match[str]) -> TimeExpr:
    return TimeExpr(_year(m), 12, 31, kind="year_end")


def _half(m: re.Match[str]) -> TimeExpr:
    first, last = (1, 6) if m["h"] == "上" else (7, 12)
    return TimeExpr(_year(m), last, None, None if m["end"] else first, kind="half")


def _quarter(m: re.Match[str]) -> TimeExpr:
    q = cn_int(m["q"]) if m["q"] else int(m["qq"])
    last = 3 * (q or 1)
    return TimeExpr(_year(m), last, None, None if m["end"] else last - 2, kind="quarter")


def _full_year(m: re.Match[str]) -> TimeExpr:
    return TimeExpr(_year(m), 12, 31, first_month=1, kind="full_year")


_Reader = Callable[[re.Match[str]], TimeExpr | None]
_GRAMMAR: tuple[tuple[re.Pattern[str], _Reader], ...] = (
    (_RANGE, _range),
    (_CALENDAR, _calendar),
    (_ISO, _calendar),
    (_SLASH, _calendar),
    (_YEAR_END, _year_end),
    (_HALF, _half),
    (_QUARTER, _quarter),
    (_FULL_YEAR, _full_year),
)


def match_time(text: str) -> TimeMatch | None:
    """Return the longest time expression at the very start of normalized text."""
    best: TimeMatch | None = None
    for pattern, reader in _GRAMMAR:
        m = pattern.match(text)
        expr = reader(m) if m else None
        if m and expr and (best is None or m.end() > best.end):
            best = TimeMatch(expr, 0, m.end())
    return best


def iter_times(text: str) -> Iterator[TimeMatch]:
    """Yield every valid time expression in normalized text, in no particular order."""
    for pattern, reader in _GRAMMAR:
        for m in pattern.finditer(text):
            expr = reader(m)
            if expr is not None:
                yield TimeMatch(expr, m.start(), m.end())


def first_time(text: str) -> TimeMatch | None:
    """Return the earliest (then longest) time expression in normalized text."""
    return min(iter_times(text), key=lambda t: (t.start, -t.end), default=None)
