"""The periods documents cover: a week, a month, a half-year, a year; and 公文 dates."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from vocabulary import cn_date

PeriodKind = Literal["week", "month", "half", "year"]
CN_DIGITS = "〇一二三四五六七八九"
CN_ORDINALS = "一二三四五六七八九十"


def cn_full_date(day: date) -> str:
    """Return a date as 公文 write it: 2022年6月30日."""
    return f"{day.year}年{cn_date(day)}"


def cn_ordinal(n: int) -> str:
    """Return 1 → 一, 12 → 十二, 21 → 二十一 (for headings)."""
    if n <= 10:
        return CN_ORDINALS[n - 1]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else CN_ORDINALS[tens - 1]
    return head + "十" + (CN_ORDINALS[ones - 1] if ones else "")


@dataclass(frozen=True, slots=True)
class Period:
    """Whole local days [first, last], with the words a document uses for them."""

    kind: PeriodKind
    first: date
    last: date
    label: str

    def since(self, tz: ZoneInfo) -> datetime:
        """Return the period's first instant."""
        return datetime.combine(self.first, time(0), tzinfo=tz)

    def until(self, tz: ZoneInfo, now: datetime) -> datetime:
        """Return the instant the period is read as of: its close, or now if sooner.

        The close is midnight after the last day, so a milestone due on the last day and
        not done by then counts as late, as the lights say the next morning.
        """
        return min(now, datetime.combine(self.last + timedelta(days=1), time(0), tzinfo=tz))

    def last_day(self, tz: ZoneInfo, now: datetime) -> date:
        """Return the last day the period covers so far (its last day, or today)."""
        return min(self.last, now.astimezone(tz).date())

    @property
    def span(self) -> str:
        """Return 2022年6月1日至2022年6月30日."""
        return f"{cn_full_date(self.first)}至{cn_full_date(self.last)}"


def week_period(day: date) -> Period:
    """Return the ISO week (Monday to Sunday) that holds day."""
    monday = day - timedelta(days=day.weekday())
    year, week, _ = day.isocalendar()
    return Period("week", monday, monday + timedelta(days=6), f"{year}年第{week}周")


def month_period(text: str) -> Period:
    """Return a month from `2022-06`; raise ValueError otherwise."""
    try:
        year_text, month_text = text.strip().split("-")
        year, month = int(year_text), int(month_text)
        first = date(year, month, 1)
    except ValueError:
        raise ValueError(
            f"cannot read {text!r} as a month; write it as YYYY-MM, e.g. 2022-06"
        ) from None
    last = date(year, month, calendar.monthrange(year, month)[1])
    return Period("month", first, last, f"{year}年{month}月")


def half_period(year: int, half: int) -> Period:
    """Return 上半年 (half 1) or 下半年 (half 2) of a year."""
    if half == 1:
        return Period("half", date(year, 1, 1), date(year, 6, 30), f"{year}年上半年")
    if half == 2:
        return Period("half", date(year, 7, 1), date(year, 12, 31), f"{year}年下半年")
    raise ValueError(f"half must be 1 or 2, not {half}")


def year_period(year: int) -> Period:
    """Return a whole year (the 年终 report)."""
    return Period("year", date(year, 1, 1), date(year, 12, 31), f"{year}年")
