"""The longer views: /status (unit, bureau, task), /tasks, /upcoming, /overdue, /history."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.render import day, day_week, local, progress_text
from storage.records import EntryRecord, MilestoneRecord, StatusRow, TaskRecord
from vocabulary import (
    AWAITING_NAME,
    LIGHT_ICONS,
    LIGHT_NAMES,
    PAUSE_ICON,
    STATUS_NAMES,
    UNREPORTED_NAME,
    WAITING_NAME,
    Light,
    cn_time,
    event_words,
    pace_words,
    reason_words,
    silence_words,
)

# Worst first: overdue, warning, on track, signed off.
LIGHTS: tuple[Light, ...] = ("red", "yellow", "green", "done")
_RANK: dict[str, int] = {light: rank for rank, light in enumerate(LIGHTS)}


def _counts(rows: Sequence[StatusRow]) -> dict[str, int]:
    counts = dict.fromkeys(_RANK, 0)
    for row in rows:
        counts[row.light] += 1
    return counts


def _tally(rows: Sequence[StatusRow]) -> str:
    counts = _counts(rows)
    parts = [f"{LIGHT_ICONS[light]} {LIGHT_NAMES[light]} {counts[light]}" for light in LIGHTS]
    awaiting = sum(r.signoff == "awaiting" for r in rows)
    silent = sum("unreported" in r.flags for r in rows)
    if awaiting:
        parts.append(f"{AWAITING_NAME} {awaiting}")
    if silent:
        parts.append(f"{UNREPORTED_NAME} {silent}")
    return " · ".join(parts)


def _progress(row: StatusRow, tz: ZoneInfo) -> str:
    if row.updated_at is None:
        return "尚无进展"
    when = day(local(row.updated_at, tz).date())
    name = STATUS_NAMES[row.status] if row.status else ""
    percent = f" {row.percent}%" if row.percent is not None else ""
    if row.note:
        return f'{name}{percent} "{row.note}"（{when}）'
    return f"{name}{percent} · {when}更新"


def why(row: StatusRow, today: date) -> str:
    """Return a row's light in words: its reason, else its next due date (or 持续推进)."""
    if row.light == "done":
        return LIGHT_NAMES["done"]
    if row.reason is not None:
        return reason_words(row.reason.kind, row.reason.due, row.reason.note, today.year)
    if row.next_due is None:
        if row.waiting:
            return f"{WAITING_NAME}（{'、'.join(row.waiting)}）"
        return "持续推进"
    return f"{day(row.next_due, today)}截止"


def targets(row: StatusRow) -> str:
    """Return a row's progress against its targets and its pace: ` · 3/5家（序时进度 50%）`
    (a bare percent, already shown with the progress, only its pace)."""
    named = [p for p in row.progress if p.target is not None]
    pace = pace_words(row.pace.expected) if row.pace is not None else ""
    if not named:
        return f" · {pace}" if pace else ""
    return f" · {progress_text(named)}" + (f"（{pace}）" if pace else "")


def _beside(row: StatusRow) -> str:
    """Return what stands beside the light: 待验收, 久未报送 N天."""
    marks = []
    # 待验收 is the reason itself when nothing more pressing gives the light.
    if row.signoff == "awaiting" and (row.reason is None or row.reason.kind != "awaiting"):
        marks.append(AWAITING_NAME)
    if "unreported" in row.flags and row.silent_days is not None:
        marks.append(silence_words(row.silent_days))
    return "".join(f" · {mark}" for mark in marks)


def status_line(row: StatusRow, today: date, tz: ZoneInfo) -> str:
    """Return one (task, unit) as a line: light, id, title, why, latest progress."""
    icon = LIGHT_ICONS[row.light]
    head = f"{icon} {row.task_id} {row.title} · {why(row, today)}{_beside(row)}{targets(row)}"
    return f"{head} · {_progress(row, tz)}"


def _paused(rows: Sequence[StatusRow], today: date) -> str | None:
    pause = next((r.paused for r in rows if r.paused is not None), None)
    if pause is None:
        return None
    reason = f"（{pause.reason}）" if pause.reason else ""
    return f"{PAUSE_ICON} 暂停提醒至{day(pause.until, today)}{reason}，期间不计逾期提醒"


def unit_status(
    unit: str, rows: Sequence[StatusRow], now: datetime, tz: ZoneInfo, limit: int = 40
) -> str:
    """Return a unit's status: a tally, then its items worst first."""
    today = local(now, tz).date()
    ordered = sorted(rows, key=lambda r: _RANK[r.light])
    lines = [f"{unit} · {len(rows)}项 · 截至{day(today)}", _tally(rows)]
    paused = _paused(rows, today)
    if paused:
        lines.append(paused)
    lines.append("")
    lines += [status_line(row, today, tz) for row in ordered[:limit]]
    if len(ordered) > limit:
        lines.append(f"……另有{len(ordered) - limit}项，发送 /tasks 查看全部")
    return "\n".join(lines)


def bureau_status(
    rows: Sequence[StatusRow], units: Sequence[str], now: datetime, tz: ZoneInfo
) -> str:
    """Return the whole bureau: a tally, then one line per unit, worst first."""
    today = local(now, tz).date()
    by_unit = {unit: [r for r in rows if r.unit == unit] for unit in units}
    tallies = {unit: _counts(mine) for unit, mine in by_unit.items() if mine}
    ordered = sorted(tallies, key=lambda u: (-tallies[u]["red"], -tallies[u]["yellow"]))
    lines = [f"全局 {len(rows)} 项 · 截至{day(today)}", _tally(rows), ""]
    for unit in ordered:
        mine = by_unit[unit]
        paused = f" · {PAUSE_ICON}" if any(r.paused for r in mine) else ""
        lines.append(f"{unit} {len(mine)}项：{_tally(mine)}{paused}")
    lines += ["", "发送 /status 科室 查看某科室，/status 2.3 查看某项任务。"]
    return "\n".join(lines)


def milestone_text(milestone: MilestoneRecord, today: date) -> str:
    """Return a milestone as 完成协议签署 · 6月30日截止."""
    action = milestone.action or "完成"
    if milestone.kind == "event":
        return (
            f"{action} · {event_words(milestone.event, milestone.offset, milestone.offset_unit)}"
        )
    if milestone.kind == "ongoing" or milestone.end is None:
        return f"{action} · 持续推进"
    if milestone.kind == "period" and milestone.start is not None:
        return f"{action} · {day(milestone.start, today)}至{day(milestone.end, today)}"
    return f"{action} · {day(milestone.end, today)}截止"


def entry_line(entry: EntryRecord, tz: ZoneInfo) -> str:
    """Return one ledger entry: when, who, what."""
    parts = [
        cn_time(entry.created_at, tz),
        entry.reporter,
        STATUS_NAMES[entry.status],
    ]
    if entry.percent is not None:
        parts.append(f"{entry.percent}%")
    if entry.proposed_date is not None:
        parts.append(f"→ {day(entry.proposed_date)}")
    if entry.note:
        parts.append(f'"{entry.note}"')
    if entry.evidence:
        parts.append(f"（附件{len(entry.evidence)}个）")
    return " ".join(parts)


def task_status(
    task: TaskRecord,
    rows: Sequence[StatusRow],
    entries: Sequence[EntryRecord],
    now: datetime,
    tz: ZoneInfo,
    last: int = 5,
) -> str:
    """Return one task: its milestones, each owner's light, and the latest entries."""
    today = local(now, tz).date()
    lines = [f"{task.id} {task.title}", f"责任科室：{'、'.join(task.units)}"]
    lines += ["节点：" + "；".join(milestone_text(m, today) for m in task.milestones)]
    lines.append("")
    for row in rows:
        icon = LIGHT_ICONS[row.light]
        head = f"{icon} {row.unit} · {why(row, today)}{_beside(row)}{targets(row)}"
        lines.append(f"{head} · {_progress(row, tz)}")
    recent = sorted(entries, key=lambda e: e.created_at)[-last:]
    lines.append("")
    if recent:
        lines.append(f"最近{len(recent)}条进展：")
        lines += [entry_line(e, tz) for e in recent]
    else:
        lines.append("尚无进展记录。")
    return "\n".join(lines)


def _whose(unit: str | None, row: StatusRow) -> str:
    return "" if unit is not None else f"{row.unit} "


def task_list(unit: str | None, rows: Sequence[StatusRow], now: datetime, tz: ZoneInfo) -> str:
    """Return every (task, unit) of a unit or the bureau, in plan order, one line each."""
    today = local(now, tz).date()
    head = f"{unit or '全局'} · 共{len(rows)}项"
    lines = [head, ""]
    for row in rows:
        icon = LIGHT_ICONS[row.light]
        lines.append(f"{icon} {_whose(unit, row)}{row.task_id} {row.title} · {why(row, today)}")
    return "\n".join(lines)


def upcoming(
    unit: str | None, days: int, rows: Sequence[StatusRow], now: datetime, tz: ZoneInfo
) -> str:
    """Return the items due within `days`, soonest first."""
    today = local(now, tz).date()
    if not rows:
        return f"未来{days}天没有到期事项。"
    lines = [f"未来{days}天到期 · {len(rows)}项", ""]
    for row in rows:
        left = (row.next_due - today).days if row.next_due else 0
        when = "今天到期" if left == 0 else f"还有{left}天"
        due = day_week(row.next_due, today) if row.next_due else ""
        head = f"{LIGHT_ICONS[row.light]} {_whose(unit, row)}{row.task_id} {row.title}"
        lines.append(f"{head} · {due}（{when}）")
    return "\n".join(lines)


def overdue(unit: str | None, rows: Sequence[StatusRow], now: datetime, tz: ZoneInfo) -> str:
    """Return the overdue items, longest overdue first."""
    today = local(now, tz).date()
    if not rows:
        return "目前没有逾期事项。"
    ordered = sorted(rows, key=lambda r: r.next_due or today)
    lines = [f"逾期 {len(rows)} 项", ""]
    for row in ordered:
        due = row.next_due or today
        lines.append(
            f"🔴 {_whose(unit, row)}{row.task_id} {row.title} · {day(due, today)}截止"
            f" · 逾期{(today - due).days}天"
        )
    return "\n".join(lines)


def history(
    task: TaskRecord, unit: str | None, entries: Sequence[EntryRecord], tz: ZoneInfo
) -> str:
    """Return a task's full ledger for one unit (or all), oldest first."""
    head = f"{task.id} {task.title} · {unit or '全部责任科室'}"
    if not entries:
        return f"{head}\n尚无进展记录。"
    lines = [head, f"共{len(entries)}条记录", ""]
    for entry in entries:
        who = "" if unit is not None else f"{entry.unit} "
        lines.append(who + entry_line(entry, tz))
    return "\n".join(lines)
