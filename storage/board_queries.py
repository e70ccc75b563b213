"""Small reads the web board needs beside the status query: a task's extensions, a file's owner."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    EntryRow,
    EvidenceRow,
    ExtensionDecisionRow,
    ExtensionRow,
    PauseRow,
    PlanVersionRow,
    SignoffRow,
    TaskRow,
    UnitRow,
)
from storage.records import ExtensionRecord, ExtensionState


@dataclass(frozen=True, slots=True)
class EvidenceOwner:
    """An evidence file and the (task, unit) whose entry it belongs to."""

    id: int
    file_id: str
    kind: str
    task_id: str
    unit: str
    created_at: datetime
    # The kept file (None: known only by its chat reference).
    sha256: str | None = None
    file_name: str | None = None


async def evidence_owner(session: AsyncSession, evidence_id: int) -> EvidenceOwner | None:
    """Return an evidence file with its task and unit, or None if there is none."""
    row = (
        await session.execute(
            select(
                EvidenceRow.id,
                EvidenceRow.file_id,
                EvidenceRow.kind,
                TaskRow.task_id,
                UnitRow.name,
                EvidenceRow.created_at,
                EvidenceRow.sha256,
                EvidenceRow.file_name,
            )
            .join(EntryRow, EntryRow.id == EvidenceRow.entry_id)
            .join(TaskRow, TaskRow.id == EntryRow.task_id)
            .join(UnitRow, UnitRow.id == EntryRow.unit_id)
            .where(EvidenceRow.id == evidence_id)
        )
    ).first()
    return None if row is None else EvidenceOwner(*row)


async def task_extensions(
    session: AsyncSession, task_row: int, as_of: datetime
) -> list[ExtensionRecord]:
    """Return a task's extension requests made by as_of, oldest first; later decisions unseen."""
    rows = await session.execute(
        select(ExtensionRow, TaskRow.task_id, UnitRow.name, ExtensionDecisionRow)
        .join(TaskRow, TaskRow.id == ExtensionRow.task_id)
        .join(UnitRow, UnitRow.id == ExtensionRow.unit_id)
        .outerjoin(ExtensionDecisionRow, ExtensionDecisionRow.request_id == ExtensionRow.id)
        .where(ExtensionRow.task_id == task_row, ExtensionRow.requested_at <= as_of)
        .order_by(ExtensionRow.requested_at, ExtensionRow.id)
    )
    found = []
    for x, code, unit, decision in rows:
        decided = decision is not None and decision.decided_at <= as_of
        state: ExtensionState = "pending"
        if decided:
            state = "approved" if decision.approve else "rejected"
        found.append(
            ExtensionRecord(
                id=x.id,
                entry_id=x.entry_id,
                task_row=x.task_id,
                task_id=code,
                unit=unit,
                milestone_id=x.milestone_id,
                old_date=x.old_date,
                new_date=x.new_date,
                reason=x.reason,
                requested_at=x.requested_at,
                state=state,
                decided_by=decision.decided_by if decided else None,
                decided_at=decision.decided_at if decided else None,
            )
        )
    return found


@dataclass(frozen=True, slots=True)
class WindowNote:
    """A progress note recorded in a window, for the half-year and year-end reports."""

    task_id: str
    unit: str
    status: str
    note: str
    percent: int | None
    at: datetime


async def notes_in_window(
    session: AsyncSession,
    since: datetime,
    until: datetime,
    unit: str | None = None,
    per_pair: int = 6,
) -> dict[tuple[str, str], list[WindowNote]]:
    """Return up to `per_pair` latest notes per (task, unit) in [since, until], oldest first."""
    ranked = (
        select(
            EntryRow.task_id,
            EntryRow.unit_id,
            EntryRow.status,
            EntryRow.note,
            EntryRow.percent,
            EntryRow.created_at,
            func.row_number()
            .over(
                partition_by=(EntryRow.task_id, EntryRow.unit_id),
                order_by=(EntryRow.created_at.desc(), EntryRow.id.desc()),
            )
            .label("rank"),
        )
        .where(
            EntryRow.created_at >= since,
            EntryRow.created_at <= until,
            EntryRow.note.is_not(None),
            EntryRow.note != "",
        )
        .subquery()
    )
    query = (
        select(
            TaskRow.task_id,
            UnitRow.name,
            ranked.c.status,
            ranked.c.note,
            ranked.c.percent,
            ranked.c.created_at,
        )
        .join(TaskRow, TaskRow.id == ranked.c.task_id)
        .join(UnitRow, UnitRow.id == ranked.c.unit_id)
        .where(ranked.c.rank <= per_pair)
        .order_by(ranked.c.created_at)
    )
    if unit is not None:
        query = query.where(UnitRow.name == unit)
    found: dict[tuple[str, str], list[WindowNote]] = {}
    for task_id, unit_name, status, note, percent, at in await session.execute(query):
        found.setdefault((task_id, unit_name), []).append(
            WindowNote(task_id, unit_name, status, note, percent, at)
        )
    return found


async def ledger_fingerprint(session: AsyncSession) -> tuple[int, ...]:
    """Return what changes whenever an entry, an extension request or decision, a sign-off
    step, a pause or a plan import is written: a cached view of the ledger stays right
    while this stays the same (every one of those tables is append-only)."""
    row = (
        await session.execute(
            select(
                *(
                    select(func.coalesce(func.max(column), 0)).scalar_subquery()
                    for column in (
                        EntryRow.id,
                        ExtensionRow.id,
                        ExtensionDecisionRow.id,
                        SignoffRow.id,
                        PauseRow.id,
                        PlanVersionRow.id,
                    )
                )
            )
        )
    ).one()
    return tuple(int(value) for value in row)
