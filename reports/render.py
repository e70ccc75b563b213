"""The digest as Chinese text for leadership (UX.md's 【督办周报】)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from reports.model import Counts, Digest, DueItem, ReportRow, UnitLine
from vocabulary import BEHIND_PACE_NAME, LIGHT_ICONS, cn_date, pace_words, share_words

# A chat message holds about 4,000 characters; the ledger has the rest.
MAX_ITEMS = 12


def counts_line(counts: Counts, skip_zero: bool = False) -> str:
    """Return one line of counts: ✅ 1 · 🔴 逾期 1 · ⚠️ 困难 1 · 🔄 进行中 9 · ⬜ 未启动 54."""
    parts = [
        ("✅", counts.done),
        ("🔴 逾期", counts.overdue),
        ("⚠️ 困难", counts.blocked),
        ("🔄 进行中", counts.in_progress),
        ("⬜ 未启动", counts.not_started),
    ]
    return " · ".join(f"{label} {n}" for label, n in parts if n or not skip_zero)


def _capped(lines: Sequence[str]) -> list[str]:
    if len(lines) <= MAX_ITEMS:
        return list(lines)
    return [*lines[:MAX_ITEMS], f"……另有{len(lines) - MAX_ITEMS}项，详见督办台账"]


def _node(item: DueItem) -> str:
    return f"{item.action} " if item.action else ""


def _days_left(due: date, today: date) -> str:
    days = (due - today).days
    return "今天到期" if days == 0 else f"还有{days}天"


def render_digest(digest: Digest) -> str:
    """Return the weekly digest as chat text."""
    local = digest.as_of.astimezone(digest.tz)
    today = local.date()
    year = today.year
    week_no = int(digest.week.split("-W")[1])
    out = [
        f"【督办周报】第{week_no}周 · 截至{cn_date(today, weekday=True)}",
        f"全局 {digest.totals.rows} 项：{counts_line(digest.totals)}",
        "",
        "各科室",
    ]
    out += [
        f"{u.unit} {u.counts.rows}项：{counts_line(u.counts, skip_zero=True)}" + _flags(u)
        for u in digest.units
    ]
    if digest.awaiting:
        out.append(f"待验收 {digest.awaiting} 项，请在【办结审核】中通过或退回")

    out += ["", "逾期" if digest.overdue else "逾期：无"]
    out += _capped(
        [
            f"🔴 {i.unit} {i.task} {i.title} · {_node(i)}{cn_date(i.due, year)}"
            f" · 逾期{(today - i.due).days}天"
            + (f' · ⚠️ "{i.blocked_note}"' if i.blocked_note else "")
            for i in digest.overdue
        ]
    )

    out += ["", "需协调" if digest.blocked else "需协调：无"]
    out += _capped(
        [
            f"⚠️ {b.unit} {b.task} "
            + (f'"{b.note}"' if b.note else b.title)
            + (f"（{cn_date(b.at.astimezone(digest.tz).date(), year)}）" if b.at else "")
            for b in digest.blocked
        ]
    )

    out += _progress_lines(digest)

    out += ["", "待审批延期" if digest.extensions else "待审批延期：无"]
    out += _capped([f"📅 {e.unit} {e.task} → {cn_date(e.date, year)}" for e in digest.extensions])

    out.append("")
    if digest.due_soon:
        out.append("未来两周到期")
        out += _capped(
            [
                f"{LIGHT_ICONS[i.light or 'yellow']} {i.unit} {i.task} {i.title}"
                f" · {_node(i)}{cn_date(i.due, year, weekday=True)} · {_days_left(i.due, today)}"
                for i in digest.due_soon
            ]
        )
    else:
        out.append("未来两周到期：无")
    out.append("两周未更新：" + ("、".join(digest.silent_units) or "无"))
    unreported = [
        f"{r.unit} {r.task}" + (f"（{r.silent_days}天）" if r.silent_days else "")
        for r in digest.unreported
    ]
    out.append("未报：" + ("、".join(_capped(unreported)) or "无"))
    done = [f"{d.unit} {d.task} {d.title}" for d in digest.done_this_week]
    out.append("本周完成：" + ("；".join(_capped(done)) or "无"))
    timely = [
        f"{u.unit} 按时{u.on_time} · 迟报{u.late} · 漏报{u.not_reported}"
        for u in digest.units
        if u.on_time or u.late or u.not_reported
    ]
    if timely:
        out += ["", "时效（已到期节点）", *timely]
    return "\n".join(out)


def _pace(row: ReportRow) -> str:
    return f"（{pace_words(row.pace)}）" if row.pace is not None else ""


def pace_text(row: ReportRow) -> str:
    """Return a row's progress against targets (else the share it reported) with its pace:
    3/5家（序时进度 50%）, 整体 30%（序时进度 93%）; empty without either."""
    if row.progress:
        return row.progress + _pace(row)
    if row.reported is not None and row.pace is not None:
        return f"整体 {share_words(row.reported)}{_pace(row)}"
    return ""


def _progress_lines(digest: Digest) -> list[str]:
    """Return 目标进度 (each row's progress against its targets and its pace) and
    滞后序时进度 (the rows behind, per unit); nothing when no row is weighed against its pace."""
    if not digest.progress and not digest.behind_pace:
        return []
    out = [""]
    if digest.progress:
        out.append("目标进度")
        out += _capped(
            [
                f"{'🟡' if r.behind_pace else '🟢'} {r.unit} {r.task} {r.title} · {r.progress}"
                + _pace(r)
                for r in digest.progress
            ]
        )
    if not digest.behind_pace:
        return [*out, f"{BEHIND_PACE_NAME}：无"]
    out.append(BEHIND_PACE_NAME)
    by_unit: dict[str, list[str]] = {}
    for r in digest.behind_pace:
        by_unit.setdefault(r.unit, []).append(f"{r.task} {pace_text(r)}")
    out += _capped([f"{unit}：{'；'.join(items)}" for unit, items in by_unit.items()])
    return out


def _flags(line: UnitLine) -> str:
    """Return a unit line's flags: 未报 N, 待验收 N (none when zero)."""
    parts = [
        f"{name} {n}" for name, n in (("未报", line.unreported), ("待验收", line.awaiting)) if n
    ]
    return f"（{'，'.join(parts)}）" if parts else ""
