"""The Chinese texts the scheduler pushes (UX.md): prompts, escalations, alerts, extensions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from storage.records import ItemKind
from vocabulary import DEFAULT_TZ, WAITING_NAME, cn_date

# The leadership's buttons under a 【延期申请】.
APPROVE = "同意"
REJECT = "不同意"


# A value, never assigned to; not frozen because a pass builds thousands (a frozen
# dataclass's __init__ costs about three times a plain one's: issue 13).
@dataclass(slots=True)
class PromptItem:
    """One (task, unit, milestone) a message is about, with what the text shows of it."""

    task_row: int
    task_id: str
    title: str
    unit: str
    milestone_id: int | None
    kind: ItemKind
    due: date | None
    action: str | None
    point_day: date
    escalate: bool = False
    last_note: str | None = None
    last_at: datetime | None = None
    # The event a milestone still waits for (待触发): its deadline starts when it is reported.
    waiting: str | None = None


def day_heading(day: date) -> str:
    """Return 6月23日（周四）."""
    return cn_date(day, weekday=True)


def due_phrase(item: PromptItem, today: date) -> str:
    """Return 6月30日截止（还有7天）, 今天截止, 已逾期N天 or the check-in wording."""
    if item.kind == "checkin":
        if item.waiting is not None:
            return f"{WAITING_NAME}（{item.waiting}后起算，届时请回复，如“{item.waiting} 3月5日”）"
        if item.due is None:
            return "本月进展（持续推进）"
        return f"本月进展（{cn_date(item.due, today.year)}结束）"
    if item.due is None:
        return "请报送进展"
    left = (item.due - today).days
    when = f"{cn_date(item.due, today.year)}截止"
    if left > 0:
        return f"{when}（还有{left}天）"
    if left == 0:
        return f"{when}（今天）"
    return f"{when}（已逾期{-left}天）"


def _node(item: PromptItem, today: date) -> str:
    phrase = due_phrase(item, today)
    return f"节点：{item.action} · {phrase}" if item.action else f"节点：{phrase}"


def _last(item: PromptItem, tz: ZoneInfo) -> str | None:
    if item.last_at is None:
        return None
    when = cn_date(item.last_at.astimezone(tz).date())
    return f"上次进展：{when} “{item.last_note}”" if item.last_note else f"上次进展：{when}"


def prompt_text(
    unit: str, today: date, items: Sequence[PromptItem], tz: ZoneInfo = DEFAULT_TZ
) -> str:
    """Return a unit's morning prompt: one block per item, the most urgent first."""
    lines = [f"【督办提醒】{unit} · {day_heading(today)}"]
    for item in items:
        lines += ["", f"{item.task_id} {item.title}", _node(item, today)]
        last = _last(item, tz)
        if last:
            lines.append(last)
    lines += ["", "请点选当前进展："]
    return "\n".join(lines)


def escalation_text(today: date, items: Sequence[PromptItem], tz: ZoneInfo = DEFAULT_TZ) -> str:
    """Return the leadership's overdue escalation for a day, one line per item."""
    lines = [f"【逾期督办】{day_heading(today)} · {len(items)}项"]
    for item in items:
        lines.append("")
        lines.append(f"{item.unit} · {item.task_id} {item.title}")
        lines.append(_node(item, today))
        last = _last(item, tz)
        lines.append(last if last else "尚无进展记录")
    return "\n".join(lines)


def blocked_text(
    unit: str,
    task_id: str,
    title: str,
    note: str | None,
    at: datetime,
    reporter: str,
    tz: ZoneInfo = DEFAULT_TZ,
) -> str:
    """Return the 【需协调】 alert to leadership about a blocked answer."""
    when = cn_date(at.astimezone(tz).date())
    said = f"“{note}”" if note else "未附说明"
    return f"【需协调】{unit} · {task_id} {title}\n{said}（{when} {reporter}）"


def _move(action: str | None, old: date | None, new: date, year: int) -> str:
    head = f"节点：{action} " if action else "节点："
    before = f"{cn_date(old, year)} → " if old else ""
    return f"{head}{before}{cn_date(new, year, weekday=True)}"


def extension_request_text(
    unit: str,
    task_id: str,
    title: str,
    action: str | None,
    old: date | None,
    new: date,
    reason: str | None,
    year: int,
) -> str:
    """Return the 【延期申请】 to leadership (the approve/reject buttons come from the sender)."""
    lines = [f"【延期申请】{unit} · {task_id} {title}", _move(action, old, new, year)]
    lines.append(f"原因：{reason}" if reason else "原因：未填写")
    return "\n".join(lines)


def extension_outcome_text(
    task_id: str,
    title: str,
    action: str | None,
    old: date | None,
    new: date,
    approved: bool,
    year: int,
) -> str:
    """Return the decision on an extension request, for the unit that asked."""
    verdict = (
        "局领导已同意延期，此后按新日期提醒。"
        if approved
        else "局领导未同意延期，请按原时限推进。"
    )
    return "\n".join([f"【延期审批】{task_id} {title}", _move(action, old, new, year), verdict])
