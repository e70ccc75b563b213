"""督查通报: per unit on time / late / not reported for a week or a month, with 表扬 and 督促."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from reports.digest import compute_digest
from reports.documents.periods import Period, cn_full_date
from reports.documents.render import DEFAULT_ISSUER, render_docx
from reports.source import read_report_input
from storage.database import Database
from storage.status import StatusRules
from storage.timeliness_queries import milestone_timeliness
from vocabulary import DEFAULT_TZ

NAMED = 3
CLOSING = (
    "各科室要对照本通报逐项查找原因、落实整改。逾期事项请于3个工作日内报送整改措施和完成时限；"
    "遇到困难的事项请及时报告，需协调的由综合办统筹推动；确需调整时限的，请按程序申请延期。"
    "按时完成的科室要保持工作节奏，确保全年任务按期高质量完成。"
)


@dataclass(frozen=True, slots=True)
class BulletinUnit:
    """One unit's line of the table."""

    unit: str
    due: int
    on_time: int
    late_done: int
    late_open: int
    not_reported: int
    finished: int
    overdue: int


@dataclass(frozen=True, slots=True)
class Bulletin:
    """The fields of one 督查通报."""

    number: str
    period: str
    opening: str
    overview: str
    units: list[BulletinUnit]
    praise: list[str]
    urge: list[str]
    closing: str
    issuer: str
    issued_on: str


async def bulletin_for(
    session: AsyncSession,
    period: Period,
    now: datetime,
    tz: ZoneInfo = DEFAULT_TZ,
    issuer: str | None = None,
    rules: StatusRules | None = None,
) -> Bulletin:
    """Return the bulletin for a period, read as of its end (or now, if sooner)."""
    until = period.until(tz, now)
    end_day = period.last_day(tz, now)
    source = await read_report_input(session, until, rules=rules)
    digest = compute_digest(source.rows, source.extensions, until, source.units, tz)
    items = await milestone_timeliness(session, until, None, tz, window=(period.first, end_day))
    done_rows = {(r.task, r.unit) for r in source.rows if r.light == "done"}
    titles = {r.task: r.title for r in source.rows}
    lines = []
    praise = []
    urge = []
    overdue_by_unit = {u.unit: u.counts.overdue for u in digest.units}
    for unit in source.units:
        mine = [i for i in items if i.unit == unit]
        finished = sorted(
            {i.task_id for i in mine if i.done_on is not None and (i.task_id, unit) in done_rows},
            key=lambda t: [int(p) for p in t.split(".") if p.isdigit()],
        )
        line = BulletinUnit(
            unit=unit,
            due=len(mine),
            on_time=sum(i.kind == "on_time" for i in mine),
            late_done=sum(i.kind == "late" and i.done_on is not None for i in mine),
            late_open=sum(i.kind == "late" and i.done_on is None for i in mine),
            not_reported=sum(i.kind == "not_reported" for i in mine),
            finished=len(finished),
            overdue=overdue_by_unit.get(unit, 0),
        )
        lines.append(line)
        slipped = line.late_done + line.late_open + line.not_reported
        if (line.on_time or line.finished) and not slipped and not line.overdue:
            named = "、".join(f"{t} {titles.get(t, '')}".strip() for t in finished[:NAMED])
            text = f"{unit}：本期{line.on_time}个任务节点均按时完成"
            if finished:
                text += (
                    f"，办结{line.finished}项（{named}{'等' if len(finished) > NAMED else ''}）"
                )
            praise.append(text + "。")
        overdue_items = [i for i in digest.overdue if i.unit == unit]
        if overdue_items or line.not_reported or line.late_open:
            parts = []
            if overdue_items:
                named = "；".join(
                    f"{i.task} {i.title}（{(i.action + '，') if i.action else ''}"
                    f"{cn_full_date(i.due)}到期）"
                    for i in overdue_items[:NAMED]
                )
                more = f"等{len(overdue_items)}项" if len(overdue_items) > NAMED else ""
                # Every item overdue at the period's end, earlier periods' too (the table counts
                # only this period's nodes): say so, so that the two never seem to disagree.
                parts.append(f"截至期末仍逾期：{named}{more}")
            if line.not_reported:
                parts.append(f"{line.not_reported}个到期节点未报送任何进展")
            said = "；".join(parts)
            urge.append(f"{unit}：{said}。")
    t = digest.totals
    due = sum(u.due for u in lines)
    on_time = sum(u.on_time for u in lines)
    rate = f"{on_time * 100 / due:.0f}%" if due else "—"
    overview = (
        f"本期共有{due}个任务节点到期或完成，其中按时完成{on_time}个，"
        f"逾期完成{sum(u.late_done for u in lines)}个，"
        f"逾期未完成{sum(u.late_open for u in lines)}个，"
        f"逾期且未报进展{sum(u.not_reported for u in lines)}个，按时完成率{rate}。"
        f"截至{cn_full_date(end_day)}，全局{t.rows}项重点任务（按责任科室计）中，"
        f"已完成{t.done}项，"
        f"逾期{t.overdue}项，遇到困难{t.blocked}项，进行中{t.in_progress}项，未启动{t.not_started}项。"
    )
    return Bulletin(
        number=f"（{period.label}）",
        period=period.label,
        opening=(
            f"根据年度工作要点督查督办安排，现将{period.span}各科室重点任务落实情况通报如下。"
        ),
        overview=overview,
        units=lines,
        praise=praise or ["本期无。"],
        urge=urge or ["本期无。"],
        closing=CLOSING,
        issuer=issuer or DEFAULT_ISSUER,
        issued_on=cn_full_date(now.astimezone(tz).date()),
    )


async def bulletin_document(
    db: Database,
    period: Period,
    now: datetime,
    tz: ZoneInfo = DEFAULT_TZ,
    *,
    issuer: str | None = None,
    rules: StatusRules | None = None,
    templates_dir: Path | None = None,
) -> bytes:
    """Return the 督查通报 for a week or a month as .docx bytes."""
    async with db.session(readonly=True) as session:
        bulletin = await bulletin_for(session, period, now, tz, issuer, rules)
    return render_docx("bulletin.docx", asdict(bulletin), templates_dir)
