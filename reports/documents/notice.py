"""督办通知单: a formal notice that an item is overdue or being urged (催办)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from plan_data.errors import DubanError
from reports.digest import official_workday
from reports.documents.periods import cn_full_date
from reports.documents.render import DEFAULT_ISSUER, render_docx
from storage.database import Database
from storage.errors import NotOwner
from storage.plans import require_plan, task_by_id
from storage.records import StatusRow
from storage.status import StatusRules
from storage.status_queries import status_rows
from vocabulary import DEFAULT_TZ, STATUS_NAMES

REPLY_WORKDAYS = 3


class NothingToUrge(DubanError):
    """A notice asked for an item that is already done."""

    def __init__(self, task_id: str, unit: str) -> None:
        super().__init__(f"{task_id} {unit} is done; a 督办通知单 is for open items")


@dataclass(frozen=True, slots=True)
class Notice:
    """The fields of one 督办通知单, as the template shows them."""

    org: str
    number: str
    matter: str
    unit: str
    original_due: str
    progress: str
    requirement: str
    reply_by: str
    issuer: str
    issued_on: str
    overdue_days: int


def workdays_after(day: date, count: int) -> date:
    """Return the count-th official workday after day."""
    found = day
    while count:
        found += timedelta(days=1)
        if official_workday(found):
            count -= 1
    return found


async def notice_for(
    session: AsyncSession,
    task_id: str,
    unit: str,
    as_of: datetime,
    tz: ZoneInfo = DEFAULT_TZ,
    *,
    reply_by: date | None = None,
    issuer: str | None = None,
    rules: StatusRules | None = None,
) -> Notice:
    """Return the notice for one (task, unit) as of an instant; raise if it is done."""
    plan = await require_plan(session)
    task = await task_by_id(session, task_id)
    if unit not in task.units:
        raise NotOwner(task.id, unit, task.units)
    found = await status_rows(session, as_of, unit, tz, rules=rules)
    row = next(r for r in found if r.task_row == task.row)
    if row.light == "done":
        raise NothingToUrge(task.id, unit)
    today = as_of.astimezone(tz).date()
    first = row.open_milestones[0] if row.open_milestones else None
    matter = f"{task.id} {task.title}" + (f"（{first.action}）" if first and first.action else "")
    if first is None:
        original = task.deadline_text or "持续推进"
    else:
        original = cn_full_date(first.planned_due)
        if first.due != first.planned_due:
            original += f"（已批准延期至{cn_full_date(first.due)}）"
    overdue = (today - first.due).days if first is not None and first.due < today else 0
    position = plan.units.index(unit) + 1 if unit in plan.units else 0
    return Notice(
        org=issuer or DEFAULT_ISSUER,
        number=f"督办〔{today.year}〕{task.id}-{position:02d}-{today:%m%d}号",
        matter=matter,
        unit=unit,
        original_due=original,
        progress=_progress(row, overdue, today, tz),
        requirement=_requirement(row, first.due if first else None, overdue, today),
        reply_by=cn_full_date(reply_by or workdays_after(today, REPLY_WORKDAYS)),
        issuer=issuer or DEFAULT_ISSUER,
        issued_on=cn_full_date(today),
        overdue_days=overdue,
    )


def _progress(row: StatusRow, overdue: int, today: date, tz: ZoneInfo) -> str:
    parts = []
    if overdue:
        parts.append(f"截至{cn_full_date(today)}，已超过完成时限{overdue}天。")
    if row.status is None or row.updated_at is None:
        parts.append("尚未报送任何进展。")
    else:
        day = cn_full_date(row.updated_at.astimezone(tz).date())
        note = f"：{row.note}" if row.note else ""
        parts.append(f"最近一次报告为{day}，{STATUS_NAMES.get(row.status, row.status)}{note}。")
    return "".join(parts)


def _requirement(row: StatusRow, due: date | None, overdue: int, today: date) -> str:
    if overdue:
        text = (
            f"该事项已超过完成时限{overdue}天。请你科室高度重视，对照工作要点要求抓紧推进，"
            "于反馈时限前书面报告办理进展、存在困难及预计完成时间；确需调整时限的，请按程序申请延期。"
        )
    elif due is not None:
        days = (due - today).days
        text = (
            f"该事项将于{cn_full_date(due)}到期（还有{days}天）。请你科室加快推进，确保按时完成，"
            "并于反馈时限前报告办理进展。"
        )
    else:
        text = "请你科室对照工作要点要求持续推进该事项，并于反馈时限前报告阶段性进展。"
    if row.status == "blocked":
        text += "对所反映的困难，请提出需协调解决的具体事项，以便统筹推动。"
    return text


async def notice_document(
    db: Database,
    task_id: str,
    unit: str,
    as_of: datetime,
    tz: ZoneInfo = DEFAULT_TZ,
    *,
    reply_by: date | None = None,
    issuer: str | None = None,
    rules: StatusRules | None = None,
    templates_dir: Path | None = None,
) -> bytes:
    """Return the 督办通知单 for one (task, unit) as .docx bytes."""
    async with db.session(readonly=True) as session:
        notice = await notice_for(
            session, task_id, unit, as_of, tz, reply_by=reply_by, issuer=issuer, rules=rules
        )
    return render_docx("notice.docx", asdict(notice), templates_dir)
