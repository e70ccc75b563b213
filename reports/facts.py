"""What the reports are computed from, as plain values, and the pure steps from the status
layer's rows and facts to report rows (read from the ledger by `reports.source`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from reports.model import ExtensionItem, ReportRow
from storage.records import MilestoneRecord, StatusRow, TaskRecord
from storage.status import StatusFacts
from storage.timeliness import UnitTimeliness
from vocabulary import cn_date, event_words, progress_words, reason_words


@dataclass(frozen=True, slots=True)
class ReportInput:
    """Everything a digest or ledger reads, taken in one session as of one instant."""

    rows: tuple[ReportRow, ...]
    extensions: tuple[ExtensionItem, ...]
    units: tuple[str, ...]
    # Each unit's deadlines so far: on time, late, not reported.
    timeliness: tuple[UnitTimeliness, ...]


def milestone_text(m: MilestoneRecord, open_due: dict[int, date], done: bool) -> str:
    """Return one milestone as the ledger's 节点 column shows it."""
    action = m.action or ""
    if m.kind == "event":
        when = open_due.get(m.id)
        wait = event_words(m.event, m.offset, m.offset_unit)
        return f"{action} {wait}".strip() + (f"（{cn_date(when)}）" if when else "")
    if m.kind == "ongoing":
        return action or "持续推进"
    if m.kind == "period" and m.start is not None and m.end is not None:
        return f"{action} {cn_date(m.start)}—{cn_date(m.end)}".strip()
    if m.end is None:
        return action
    text = f"{action} {cn_date(m.end)}".strip()
    moved = open_due.get(m.id)
    if moved is not None and moved != m.end:
        text += f"（延至{cn_date(moved)}）"
    return f"{text}（已完成）" if done else text


def to_report_row(row: StatusRow, task: TaskRecord | None) -> ReportRow:
    """Return a status row in report terms, with the task's deadline text and milestones."""
    milestones = ""
    if task is not None:
        open_due: dict[int, date] = {m.milestone_id: m.due for m in row.open_milestones}
        milestones = "；".join(
            milestone_text(
                m, open_due, m.kind == "deadline" and m.id not in open_due and m.end is not None
            )
            for m in task.milestones
        )
    return ReportRow(
        task=row.task_id,
        unit=row.unit,
        title=row.title,
        role=row.role,
        light=row.light,
        status=row.status,
        note=row.note,
        updated_at=row.updated_at,
        next_due=row.next_due,
        entries=row.entries,
        open_milestones=row.open_milestones,
        deadline_text=task.deadline_text if task is not None else "",
        milestones_text=milestones,
        reason=(
            reason_words(row.reason.kind, row.reason.due, row.reason.note)
            if row.reason is not None
            else None
        ),
        unreported="unreported" in row.flags,
        silent_days=row.silent_days,
        awaiting=row.signoff == "awaiting",
        paused_until=row.paused.until if row.paused else None,
        progress=progress_words(
            [(p.what, p.unit, p.target, p.value) for p in row.progress if p.target is not None]
        )
        if row.progress
        else "",
        pace=row.pace.expected if row.pace else None,
        behind_pace=row.pace.behind if row.pace else False,
        reported=row.pace.reported if row.pace else None,
    )


@dataclass(frozen=True, slots=True)
class DigestFacts:
    """What the weekly digest is computed from, read once: true until the ledger changes
    (the status facts also follow the prompts sent since, `StatusFacts.prompted`)."""

    status: StatusFacts
    extensions: tuple[ExtensionItem, ...]
    units: tuple[str, ...]
