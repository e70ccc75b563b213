"""The words every layer shares, defined once: statuses, roles, lights, who leadership is,
the office's time zone and the Chinese date format (`6月30日（周四）`).

This package imports nothing of the project; every other package may import it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Final, Literal
from zoneinfo import ZoneInfo

# ---- progress statuses -------------------------------------------------------------------

Status = Literal["in_progress", "done", "blocked", "extension"]
STATUSES: Final[tuple[Status, ...]] = ("in_progress", "done", "blocked", "extension")

STATUS_NAMES: Final[dict[Status, str]] = {
    "done": "已完成",
    "in_progress": "进行中",
    "blocked": "遇到困难",
    "extension": "申请延期",
}
STATUS_ICONS: Final[dict[Status, str]] = {
    "done": "✅",
    "in_progress": "🔄",
    "blocked": "⚠️",
    "extension": "📅",
}
# The order of the answer buttons under a prompt item.
ANSWER_ORDER: Final[tuple[Status, ...]] = ("done", "in_progress", "blocked", "extension")

# Words people type for a status, in English (the CLI) and in Chinese (chat, the CLI).
STATUS_WORDS: Final[dict[str, Status]] = {
    "in_progress": "in_progress",
    "in-progress": "in_progress",
    "progress": "in_progress",
    "进行中": "in_progress",
    "进展": "in_progress",
    "done": "done",
    "已完成": "done",
    "完成": "done",
    "blocked": "blocked",
    "遇到困难": "blocked",
    "困难": "blocked",
    "extension": "extension",
    "申请延期": "extension",
    "延期": "extension",
}


def status_label(status: Status) -> str:
    """Return a status as a button shows it: `✅ 已完成`."""
    return f"{STATUS_ICONS[status]} {STATUS_NAMES[status]}"


def read_status(word: str) -> Status | None:
    """Return the status a typed word names (English or Chinese), or None."""
    return STATUS_WORDS.get(word.strip().lower())


# ---- owners and recipients ---------------------------------------------------------------

Role = Literal["lead", "cooperating", "owner"]
ROLE_NAMES: Final[dict[Role, str]] = {"lead": "牵头", "cooperating": "配合", "owner": "负责"}

LEADERSHIP: Final = "leadership"
"""The recipient name of the bureau's leadership (bindings, invites, the outbox)."""
LEADERSHIP_NAME: Final = "局领导"
"""How chat texts name the leadership."""

# ---- lights ------------------------------------------------------------------------------

Light = Literal["done", "red", "yellow", "green"]
LIGHT_ICONS: Final[dict[Light, str]] = {"red": "🔴", "yellow": "🟡", "green": "🟢", "done": "✅"}

LIGHT_NAMES: Final[dict[Light, str]] = {
    "red": "逾期",
    "yellow": "预警",
    "green": "正常",
    "done": "办结",
}
PAUSE_ICON: Final = "⏸"
UNREPORTED_NAME: Final = "未报"
AWAITING_NAME: Final = "待验收"
WAITING_NAME: Final = "待触发"
"""A milestone that waits for its event (`印发之日起20个工作日内`) before its deadline runs."""
BEHIND_PACE_NAME: Final = "滞后序时进度"
PACE_NAME: Final = "序时进度"

# ---- time --------------------------------------------------------------------------------

DEFAULT_TZ_NAME: Final = "Asia/Shanghai"
DEFAULT_TZ: Final = ZoneInfo(DEFAULT_TZ_NAME)
"""The office's time zone unless DUBAN_TZ says otherwise (the settings pass the real one)."""

WEEKDAYS: Final = "一二三四五六日"


def cn_date(day: date, year: int | None = None, weekday: bool = False) -> str:
    """Return `7月4日`; with the year when it is not `year`; with `（周一）` if asked."""
    text = f"{day.month}月{day.day}日"
    if year is not None and day.year != year:
        text = f"{day.year}年{text}"
    if weekday:
        text += f"（周{WEEKDAYS[day.weekday()]}）"
    return text


def cn_time(instant: datetime, tz: ZoneInfo) -> str:
    """Return `6月23日 09:30` in the office's time zone."""
    local = instant.astimezone(tz)
    return f"{cn_date(local.date())} {local:%H:%M}"


def reason_words(
    kind: str, due: date | None = None, note: str | None = None, year: int | None = None
) -> str:
    """Return why a row has its light, in words: `逾期 1月31日`, `临近 6月30日`, `困难：经费`."""
    if kind == "overdue" and due is not None:
        return f"逾期 {cn_date(due, year)}"
    if kind == "due_soon" and due is not None:
        return f"临近 {cn_date(due, year)}"
    if kind == "blocked":
        said = (note or "").strip()
        return f"困难：{said[:20]}{'…' if len(said) > 20 else ''}" if said else "遇到困难"
    if kind == "behind_pace":
        return BEHIND_PACE_NAME
    if kind == "awaiting":
        return AWAITING_NAME
    return ""


def silence_words(days: int) -> str:
    """Return the 未报 flag in words: `久未报送 35天`."""
    return f"久未报送 {days}天"


def number_words(value: float) -> str:
    """Return a number as people write it: `3`, `2.5`, `1.25` (no trailing zeros)."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.2f}".rstrip("0").rstrip(".")


def share_words(share: float) -> str:
    """Return a share as a whole percent: `60%`."""
    return f"{round(share * 100)}%"


def progress_words(parts: Sequence[tuple[str, str, float | None, float]]) -> str:
    """Return progress against targets, each named: `老人家食堂 3/5家 · 养老床位 60/150张`.

    Each part is (what, measure, target value or None for a share of the whole task, value
    reported). A share target reads `95%/90%`; a whole-task share reads `整体 60%`.
    """
    words = []
    for what, measure, target, value in parts:
        if target is None:
            text, what = f"{number_words(value)}%", "整体"
        elif measure == "%":
            text = f"{number_words(value)}%/{number_words(target)}%"
        else:
            text = f"{number_words(value)}/{number_words(target)}{measure}"
        words.append(f"{what} {text}" if what else text)
    return " · ".join(words)


def pace_words(expected: float) -> str:
    """Return the elapsed share of a row's time: `序时进度 50%`."""
    return f"{PACE_NAME} {share_words(expected)}"


_OFFSET_UNITS: Final = {"days": "日", "workdays": "个工作日", "months": "个月"}


def event_words(event: str | None, offset: int | None, unit: str | None) -> str:
    """Return when an event milestone falls due: `印发后20个工作日内`, `场地移交后`."""
    what = event or "触发事项"
    if not offset or unit not in _OFFSET_UNITS:
        return f"{what}后"
    return f"{what}后{offset}{_OFFSET_UNITS[unit]}内"
