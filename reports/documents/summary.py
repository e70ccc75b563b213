"""半年 / 年终 工作要点落实情况报告: a draft per unit or for the bureau, for the office to edit."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from reports.digest import compute_digest
from reports.documents.periods import Period, cn_full_date, cn_ordinal
from reports.documents.render import DEFAULT_ISSUER, render_docx
from reports.model import ReportRow
from reports.source import read_report_input
from storage.board_queries import WindowNote, notes_in_window
from storage.database import Database
from storage.plans import current_tasks, require_plan
from storage.records import MilestoneRecord, TaskRecord
from storage.status import StatusRules
from storage.timeliness import MilestoneTimeliness
from storage.timeliness_queries import milestone_timeliness
from vocabulary import DEFAULT_TZ, cn_date

NOTES_PER_ROW = 6
NO_TARGETS = "目标与结果：工作要点未列量化指标，请结合实际补充完成数据。"


@dataclass(frozen=True, slots=True)
class SummaryMilestone:
    """A milestone line of a task's table."""

    action: str
    when: str
    state: str


@dataclass(frozen=True, slots=True)
class SummaryTask:
    """One task's section."""

    heading: str
    owners: str
    milestones: list[SummaryMilestone]
    done: list[str]
    targets: str
    problems: str


@dataclass(frozen=True, slots=True)
class Summary:
    """The fields of one 落实情况报告."""

    title: str
    draft_mark: str
    opening: str
    overview: str
    tasks: list[SummaryTask]
    problems: list[str]
    next_steps: str
    issuer: str
    issued_on: str


def _day(d: date) -> str:
    return cn_date(d)


def _milestone_lines(
    task: TaskRecord, units: list[str], timely: list[MilestoneTimeliness], today: date
) -> list[SummaryMilestone]:
    lines = []
    for m in task.milestones:
        action = m.action or task.title
        if m.kind == "ongoing":
            lines.append(SummaryMilestone(action, "持续推进", "按计划持续推进"))
            continue
        if m.kind == "period" and m.start and m.end:
            lines.append(SummaryMilestone(action, f"{_day(m.start)}—{_day(m.end)}", "阶段性工作"))
            continue
        states = [
            _state(m, t, today) for t in timely if t.milestone_id == m.id and t.unit in units
        ]
        prefix = len(units) > 1
        text = "；".join(
            f"{t.unit}：{s}" if prefix else s
            for t, s in zip(
                [t for t in timely if t.milestone_id == m.id and t.unit in units],
                states,
                strict=True,
            )
        )
        lines.append(SummaryMilestone(action, cn_full_date(m.end) if m.end else "", text or "—"))
    return lines


def _state(m: MilestoneRecord, t: MilestoneTimeliness, today: date) -> str:
    moved = f"（延期至{_day(t.due)}）" if t.due != t.planned_due else ""
    if t.done_on is not None:
        return f"{_day(t.done_on)}完成{moved}" + ("，逾期完成" if t.kind == "late" else "")
    if t.due < today:
        return f"未完成，逾期{(today - t.due).days}天{moved}"
    return f"推进中{moved}"


def _done_lines(notes: list[WindowNote], multi: bool) -> list[str]:
    seen = set()
    lines = []
    for n in notes:
        if n.note in seen:
            continue
        seen.add(n.note)
        who = f"{n.unit}：" if multi else ""
        percent = (
            f"（{n.percent}%）" if n.percent is not None and n.percent not in (0, 100) else ""
        )
        lines.append(f"{_day(n.at.date())}，{who}{n.note}{percent}。")
    return lines


def _problems(rows: list[ReportRow], today: date, multi: bool) -> list[str]:
    found = []
    for r in rows:
        who = f"{r.unit}：" if multi else ""
        if r.status == "blocked" and r.note:
            found.append(f"{who}{r.note}")
        for m in r.open_milestones:
            if m.due is not None and m.due < today:
                node = m.action or "完成时限"
                found.append(f"{who}{node}已逾期{(today - m.due).days}天")
    return found


async def summary_for(
    session: AsyncSession,
    period: Period,
    unit: str | None,
    now: datetime,
    tz: ZoneInfo = DEFAULT_TZ,
    issuer: str | None = None,
    rules: StatusRules | None = None,
) -> Summary:
    """Return the report for a half-year or year, for one unit or (None) the bureau."""
    plan = await require_plan(session)
    until = period.until(tz, now)
    today = until.astimezone(tz).date()
    end_day = period.last_day(tz, now)
    source = await read_report_input(session, until, rules=rules)
    rows = [r for r in source.rows if unit is None or r.unit == unit]
    units = [unit] if unit is not None else list(source.units)
    digest = compute_digest(rows, source.extensions, until, units, tz)
    timely = await milestone_timeliness(session, until, unit, tz)
    notes = await notes_in_window(session, period.since(tz), until, unit, NOTES_PER_ROW)
    sections: list[SummaryTask] = []
    all_problems = []
    by_task: dict[str, list[ReportRow]] = {}
    for r in rows:
        by_task.setdefault(r.task, []).append(r)
    for task in await current_tasks(session):
        task_rows = by_task.get(task.id)
        if not task_rows:
            continue
        task_units = [r.unit for r in task_rows]
        multi = len(task_units) > 1
        task_notes = sorted(
            (n for u in task_units for n in notes.get((task.id, u), [])), key=lambda n: n.at
        )
        done = _done_lines(task_notes, multi)
        problems = _problems(task_rows, today, multi)
        all_problems += [f"{task.id} {task.title}：{p}" for p in problems]
        sections.append(
            SummaryTask(
                heading=f"（{cn_ordinal(len(sections) + 1)}）{task.id} {task.title}",
                owners=(
                    f"责任科室：{'、'.join(task_units)}；完成时限：{task.deadline_text or '—'}。"
                ),
                milestones=_milestone_lines(
                    task, task_units, [t for t in timely if t.task_row == task.row], today
                ),
                done=["落实情况：", *done] if done else ["落实情况：本期未报送进展，请补充。"],
                targets=NO_TARGETS,
                problems="存在问题：" + ("；".join(problems) + "。" if problems else "暂无。"),
            )
        )
    t = digest.totals
    who = unit or "全局"
    kind = "年终" if period.kind == "year" else ""
    title = f"{unit or ''}{period.label}工作要点落实情况报告" + (f"（{kind}）" if kind else "")
    return Summary(
        title=title,
        draft_mark="（初稿，供修改完善）",
        opening=(
            f"按照{plan.year}年工作要点部署，现将{who}{period.label}"
            f"（{cn_full_date(period.first)}至{cn_full_date(end_day)}）重点任务落实情况报告如下。"
        ),
        overview=(
            f"{who}共承担重点任务{t.rows}项（按责任科室计），截至{cn_full_date(end_day)}，"
            f"已完成{t.done}项，进行中{t.in_progress}项，遇到困难{t.blocked}项，"
            f"逾期{t.overdue}项，未启动{t.not_started}项。"
        ),
        tasks=sections,
        problems=all_problems or ["暂无突出问题。"],
        next_steps="（请结合下阶段工作安排补充。）",
        issuer=issuer or unit or DEFAULT_ISSUER,
        issued_on=cn_full_date(now.astimezone(tz).date()),
    )


async def summary_document(
    db: Database,
    period: Period,
    unit: str | None,
    now: datetime,
    tz: ZoneInfo = DEFAULT_TZ,
    *,
    issuer: str | None = None,
    rules: StatusRules | None = None,
    templates_dir: Path | None = None,
) -> bytes:
    """Return the 落实情况报告 as .docx bytes."""
    async with db.session(readonly=True) as session:
        summary = await summary_for(session, period, unit, now, tz, issuer, rules)
    return render_docx("summary.docx", asdict(summary), templates_dir)
