"""Read the State Council's holiday notice (国务院办公厅关于YYYY年部分节假日安排的通知).

Each item of the notice gives a holiday's days off and the weekend days worked instead:
`二、春节：1月31日至2月6日放假调休，共7天。1月29日（星期六）、1月30日（星期日）上班。`
The result fills the holiday file for a year that chinese-calendar does not know yet.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta

from plan_data.errors import DubanError

# An item starts a line or follows a full stop: 一、元旦：…, 六、中秋节、国庆节：…
_ITEM = re.compile(r"(?:^|(?<=[\s。]))[一二三四五六七八九十]+、(?P<name>[^:。\n]{1,15}):")
# A date, its year and month left out when the one before gives them, and a note such as
# （星期六）or（农历除夕、周二）.
_DATE = re.compile(
    r"(?:(?P<y>\d{4})年)?(?:(?P<m>\d{1,2})月)?(?P<d>\d{1,2})日(?:\((?P<note>[^()]*)\))?"
)
_WEEKDAY = re.compile(r"(?:星期|周|礼拜)(?P<wd>[一二三四五六日天])")
_TOTAL = re.compile(r"(?:共|放假)(?P<n>\d{1,2})天")
_NOTICE_YEAR = re.compile(r"关于(?P<y>\d{4})年(?:部分)?节假日安排")
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_EXAMPLE = "一、元旦：1月1日放假，共1天。"


class HolidayNoticeError(DubanError):
    """A holiday notice that cannot be read, or that does not fit its year."""


def notice_year(text: str) -> int | None:
    """Return the year a notice is for (关于2023年部分节假日安排的通知), or None."""
    found = _NOTICE_YEAR.search(unicodedata.normalize("NFKC", text))
    return int(found["y"]) if found else None


def parse_notice(text: str, year: int | None = None) -> tuple[tuple[date, ...], tuple[date, ...]]:
    """Return (days off, 调休 workdays) of a holiday notice, each sorted.

    The days off are every day of each holiday as the notice gives it, weekends included;
    the workdays are the weekend days it says are worked (上班). Raise HolidayNoticeError
    with one line saying what is wrong.
    """
    text = unicodedata.normalize("NFKC", text)
    year = year or notice_year(text)
    if year is None:
        raise HolidayNoticeError("cannot tell the notice year; pass --year")
    items = list(_ITEM.finditer(text))
    if not items:
        raise HolidayNoticeError(f"no holiday items found: expected items such as {_EXAMPLE}")
    days_off: set[date] = set()
    workdays: set[date] = set()
    for index, item in enumerate(items):
        end = items[index + 1].start() if index + 1 < len(items) else len(text)
        body = text[item.end() : end].split("\n", 1)[0]
        off, work = _item(item["name"].strip(), body, year)
        days_off |= off
        workdays |= work
    return tuple(sorted(days_off)), tuple(sorted(workdays))


def _item(name: str, body: str, year: int) -> tuple[set[date], set[date]]:
    sentences = [s for s in re.split(r"[。;；]", body) if s.strip()]
    holiday = next((s for s in sentences if "放假" in s), None)
    if holiday is None:
        raise HolidayNoticeError(f"{name}: no days off (放假) in: {body.strip()}")
    found = _dates(name, holiday.split("放假", 1)[0], year)
    if len(found) not in (1, 2):
        raise HolidayNoticeError(f"{name}: cannot read the days off in: {holiday.strip()}")
    first, last = found[0], found[-1]
    if first > last:  # 12月31日至1月2日: the holiday starts the year before
        first = first.replace(year=first.year - 1)
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    total = _TOTAL.search(holiday)
    if total and int(total["n"]) != len(days):
        raise HolidayNoticeError(
            f"{name}: {first.isoformat()} to {last.isoformat()} is {len(days)} days, "
            f"but the notice says {total['n']}"
        )
    work: set[date] = set()
    for sentence in sentences:
        if "上班" in sentence:
            for day in _dates(name, sentence.split("上班", 1)[0], year):
                if day.weekday() < 5:
                    raise HolidayNoticeError(
                        f"{name}: {day.isoformat()} (上班) is a {_NAMES[day.weekday()]}, "
                        f"not a weekend day; is the year {year} right?"
                    )
                work.add(day)
    return set(days), work


def _dates(name: str, text: str, year: int) -> list[date]:
    """Return the dates written in text, each taking year and month from the one before."""
    found: list[date] = []
    current_year, month = year, None
    for m in _DATE.finditer(text):
        current_year = int(m["y"]) if m["y"] else current_year
        month = int(m["m"]) if m["m"] else month
        if month is None:
            raise HolidayNoticeError(f"{name}: a day without its month: {m.group()}")
        try:
            day = date(current_year, month, int(m["d"]))
        except ValueError:
            raise HolidayNoticeError(
                f"{name}: {month}月{m['d']}日 is not a date in {current_year}"
            ) from None
        weekday = _WEEKDAY.search(m["note"] or "")
        if weekday and _WEEKDAYS[weekday["wd"]] != day.weekday():
            raise HolidayNoticeError(
                f"{name}: {day.isoformat()} is a {_NAMES[day.weekday()]}, but the notice says "
                f"{weekday.group()}; is the year {year} right?"
            )
        found.append(day)
    return found
