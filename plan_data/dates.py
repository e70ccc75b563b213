"""Read a date a person types (`7月15日`, `下周五`, `月底`, `next friday`) relative to now.

The plan's Chinese date grammar goes first; dateparser (English only) reads the rest,
because on Chinese it guesses wildly (`10月30日前` becomes "10 months 30 days ago").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from datetime import date, datetime, timedelta

from plan_data.chinese_dates import (
    NUM,
    PARTS,
    TimeExpr,
    TimeMatch,
    cn_int,
    iter_times,
    month_end,
)
from plan_data.errors import DubanError

MAX_YEARS_AHEAD = 3


class DateNotUnderstood(DubanError):
    """No date could be read from the text."""

    def __init__(self, text: str) -> None:
        super().__init__(f"cannot read a date from {text!r}")
        self.text = text


class DateNotInFuture(DubanError):
    """The date read lies before today."""

    def __init__(self, value: date) -> None:
        super().__init__(f"{value.isoformat()} is in the past")
        self.value = value


class DateTooFar(DubanError):
    """The date read lies implausibly far ahead."""

    def __init__(self, value: date) -> None:
        super().__init__(f"{value.isoformat()} is more than {MAX_YEARS_AHEAD} years ahead")
        self.value = value


_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_WEEKDAYS.update({str(n): n - 1 for n in range(1, 8)})
# Past days are read too, so that the answer is "that is in the past", not "unreadable".
_DAY_WORDS = {
    "前天": -2, "昨天": -1, "昨日": -1, "今天": 0, "今日": 0,
    "明天": 1, "明日": 1, "后天": 2, "大后天": 3,
}

_DAY_WORD = re.compile(r"大后天|前天|昨天|昨日|今天|今日|明天|明日|后天")
_AFTER = re.compile(
    rf"(?<!\d)(?P<n>\d{{1,4}}|{NUM})个?(?P<unit>天|日|周|星期|礼拜|月)(?:以后|之后|后)"
)
_WEEKDAY = re.compile(
    r"(?P<which>下下个?|下个?|本|这个?)?(?:周|星期|礼拜)(?P<wd>[一二三四五六日天1-7])"
)
_MONTH = re.compile(
    rf"(?<![\d零〇一二两三四五六七八九十])(?P<which>下个?|本|这个?)?月"
    rf"(?:(?P<d>{NUM})[号日]|(?P<part>上旬|中旬|下旬|底|末|初|中))"
)
_BARE_DAY = re.compile(rf"(?<![月\d零〇一二两三四五六七八九十])(?P<d>{NUM})号")
# 7.15 is July 15 in a chat; only typed dates read it, since plan text numbers items `5.`.
_DOTTED = re.compile(r"(?<![\d.])(?P<m>\d{1,2})\.(?P<d>\d{1,2})(?![\d.])")
_CJK = re.compile(r"[\u3400-\u9fff]")
_EDGE = " \t\r\n,，。.;；:：、!！?？"
_BY = re.compile(r"^(?:以前|之前|以内|前|内)")
# 明年3月底 is next year's March: the calendar grammar reads only the `3月底`.
_YEARS_AHEAD = {"明年": 1, "来年": 1, "后年": 2}


def _add_months(day: date, months: int, target: int | None) -> date:
    """Return day `target` (None: month end) of the month `months` after `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = month_end(year, month + 1)
    return date(year, month + 1, min(target or last, last))


def _relative(m: re.Match[str], today: date) -> date | None:
    """Resolve an expression that only makes sense against today."""
    groups = m.groupdict()
    if m.re is _DAY_WORD:
        return today + timedelta(days=_DAY_WORDS[m.group()])
    if m.re is _AFTER:
        n = cn_int(groups["n"])
        if n is None:
            return None
        if groups["unit"] == "月":
            return _add_months(today, n, today.day)
        return today + timedelta(days=n * (1 if groups["unit"] in "天日" else 7))
    if m.re is _WEEKDAY:
        wd, which = _WEEKDAYS[groups["wd"]], groups["which"] or ""
        if not which:  # 周五: the next one, today included
            return today + timedelta(days=(wd - today.weekday()) % 7)
        weeks = 2 if which.startswith("下下") else 1 if which.startswith("下") else 0
        return today - timedelta(days=today.weekday()) + timedelta(days=7 * weeks + wd)
    day = cn_int(groups["d"]) if groups.get("d") else PARTS.get(groups.get("part") or "")
    if groups.get("d") and (day is None or not 1 <= day <= 31):
        return None
    if m.re is _BARE_DAY:  # 15号: this month's if still ahead, else next month's
        for ahead in (0, 1, 2):
            value = _add_months(today, ahead, day)
            if value.day == day and value >= today:
                return value
        return None
    ahead = 1 if (groups.get("which") or "").startswith("下") else 0
    return _add_months(today, ahead, day)


def _absolute(found: TimeMatch, today: date) -> date | None:
    """Resolve a calendar expression, rolling to next year when it would be past."""
    expr = found.expr
    years = [today.year, today.year + 1] if expr.year is None else [expr.year]
    for year in years:
        try:
            value = expr.end(year)
        except ValueError:
            continue
        if expr.year is not None or value >= today:
            return value
    return None


def _normalized(text: str) -> tuple[str, list[int]]:
    """Return text normalized as the grammar expects, and each char's original index."""
    chars: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        for n in unicodedata.normalize("NFKC", ch):
            if not n.isspace():
                chars.append(n)
                origin.append(i)
    return "".join(chars), origin


def _today(now: datetime) -> date:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.date()


def _with_year_word(norm: str, found: TimeMatch, today: date) -> TimeMatch:
    """Give a time written after 明年/后年 (or as 明年底) that year, and take in the word."""
    if found.expr.year is not None:
        return found
    for word, ahead in _YEARS_AHEAD.items():
        # `明年底`: the grammar matched `年底` and left `明` before it.
        start = found.start - (1 if norm[found.start] == "年" else 2)
        if start >= 0 and norm.startswith(word, start):
            expr = replace(found.expr, year=today.year + ahead)
            return TimeMatch(expr, start, found.end)
    return found


def find_date_in_text(text: str, now: datetime) -> tuple[date, str] | None:
    """Return the first Chinese or ISO date in the text and the text around it."""
    today = _today(now)
    norm, origin = _normalized(text)
    times = [_with_year_word(norm, t, today) for t in iter_times(norm)]
    candidates = [(t.start, t.end, _absolute(t, today)) for t in times]
    for m in _DOTTED.finditer(norm):
        month, day = int(m["m"]), int(m["d"])
        if 1 <= month <= 12 and 1 <= day <= month_end(2000, month):
            dotted = TimeMatch(TimeExpr(None, month, day), m.start(), m.end())
            candidates.append((m.start(), m.end(), _absolute(dotted, today)))
    for pattern in (_DAY_WORD, _AFTER, _WEEKDAY, _MONTH, _BARE_DAY):
        candidates.extend(
            (m.start(), m.end(), _relative(m, today)) for m in pattern.finditer(norm)
        )
    for start, end, value in sorted(candidates, key=lambda c: (c[0], -c[1])):
        if value is not None:
            before, after = text[: origin[start]], text[origin[end - 1] + 1 :]
            after = _BY.sub("", after.lstrip())
            rest = (before.rstrip(_EDGE) + after.lstrip(_EDGE)).strip(_EDGE)
            return value, rest
    return None


def _dateparser(text: str, today: datetime) -> date | None:
    import dateparser  # a quarter second to import: loaded only for a date it must read

    parsed = dateparser.parse(
        text,
        languages=["en"],
        settings={
            "RELATIVE_BASE": today,
            "PREFER_DATES_FROM": "future",
            "RETURN_AS_TIMEZONE_AWARE": False,
        },
    )
    return parsed.date() if parsed else None


def read_date(text: str, now: datetime) -> date:
    """Read a typed date relative to now (in its own time zone); refuse past or far dates."""
    today = _today(now)
    found = find_date_in_text(text, now)
    value = found[0] if found else None
    # A bare number (`12`, `0715`) is too ambiguous to guess at; dateparser would.
    plain = text.strip()
    if value is None and plain and not plain.isdigit() and not _CJK.search(plain):
        local = now.replace(tzinfo=None)
        value = _dateparser(plain, local)
    if value is None:
        raise DateNotUnderstood(text)
    if value < today:
        raise DateNotInFuture(value)
    limit = _add_months(today, 12 * MAX_YEARS_AHEAD, today.day)
    if value > limit:
        raise DateTooFar(value)
    return value
