"""Extension requests: a unit asks to move a due date; leadership approves or rejects once."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.errors import ExtensionAlreadyDecided, UnknownExtension
from storage.models import ExtensionRow, TaskRow, UnitRow
from storage.progress import entry
from storage.records import ExtensionRecord, ExtensionState


async def request_extension(
    session: AsyncSession,
    entry_id: int,
    new_date: date,
    now: datetime,
    *,
    old_date: date | None = None,
    reason: str | None = None,
) -> ExtensionRecord:
    """File a pending request for the (task, unit, milestone) of an `extension` entry."""
    found = await entry(session, entry_id)
    existing = await session.scalar(
        select(ExtensionRow.id).where(ExtensionRow.entry_id == entry_id)
    )
    if existing is not None:
        return await get_extension(session, existing)
    unit_id = await session.scalar(select(UnitRow.id).where(UnitRow.name == found.unit))
    row = ExtensionRow(
        entry_id=entry_id,
        task_id=found.task_row,
        unit_id=unit_id,
        milestone_id=found.milestone_id,
        old_date=old_date,
        new_date=new_date,
        reason=reason if reason is not None else found.note,
        requested_at=now,
        state="pending",
    )
    session.add(row)
    await session.flush()
    return await get_extension(session, row.id)


async def decide_extension(
    session: AsyncSession, request_id: int, approve: bool, decided_by: str, now: datetime
) -> ExtensionRecord:
    """Approve or reject a pending request; a second decision raises ExtensionAlreadyDecided."""
    current = await get_extension(session, request_id)
    state: ExtensionState = "approved" if approve else "rejected"
    result = await session.execute(
        update(ExtensionRow)
        .where(ExtensionRow.id == request_id, ExtensionRow.state == "pending")
        .values(state=state, decided_by=decided_by, decided_at=now)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise ExtensionAlreadyDecided(request_id, current.state)
    return await get_extension(session, request_id)


async def get_extension(session: AsyncSession, request_id: int) -> ExtensionRecord:
    """Return one request or raise UnknownExtension."""
    found = await _select(session, ExtensionRow.id == request_id)
    if not found:
        raise UnknownExtension(request_id)
    return found[0]


async def pending_extensions(session: AsyncSession) -> list[ExtensionRecord]:
    """Return requests awaiting a decision, oldest first."""
    return await _select(session, ExtensionRow.state == "pending")


async def all_extensions(session: AsyncSession) -> list[ExtensionRecord]:
    """Return every request, oldest first."""
    return await _select(session)


async def _select(session: AsyncSession, *conditions: object) -> list[ExtensionRecord]:
    rows = await session.execute(
        select(ExtensionRow, TaskRow.task_id, UnitRow.name)
        .join(TaskRow, TaskRow.id == ExtensionRow.task_id)
        .join(UnitRow, UnitRow.id == ExtensionRow.unit_id)
        .where(*conditions)  # type: ignore[arg-type]
        .order_by(ExtensionRow.decided_at.is_(None), ExtensionRow.decided_at, ExtensionRow.id)
    )
    return [
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
            state=x.state,  # type: ignore[arg-type]
            decided_by=x.decided_by,
            decided_at=x.decided_at,
        )
        for x, code, unit in rows
    ]
