"""Extension requests: a unit asks to move a due date; leadership approves or rejects once.

Both are append-only rows: a request in `extension_requests`, its decision in
`extension_decisions` (one per request, by a unique key); a request's state is read from
whether it has a decision.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import case, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.chain import decision_hash, request_hash
from storage.errors import ExtensionAlreadyDecided, UnknownExtension
from storage.models import EntryRow, ExtensionDecisionRow, ExtensionRow, TaskRow, UnitRow
from storage.progress import entry
from storage.records import ExtensionRecord, ExtensionState
from storage.upsert import dialect_insert

# A request's state, derived: no decision yet, or the decision's verdict.
STATE = case(
    (ExtensionDecisionRow.id.is_(None), "pending"),
    (ExtensionDecisionRow.approve, "approved"),
    else_="rejected",
)


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
    anchor = await session.scalar(select(EntryRow.hash).where(EntryRow.id == entry_id))
    values: dict[str, Any] = {
        "entry_id": entry_id,
        "task_id": found.task_row,
        "unit_id": unit_id,
        "milestone_id": found.milestone_id,
        "old_date": old_date,
        "new_date": new_date,
        "reason": reason if reason is not None else found.note,
        "requested_at": now,
    }
    row = ExtensionRow(**values, hash=request_hash(anchor or "", values))
    session.add(row)
    await session.flush()
    return await get_extension(session, row.id)


async def decide_extension(
    session: AsyncSession, request_id: int, approve: bool, decided_by: str, now: datetime
) -> ExtensionRecord:
    """Approve or reject a pending request; a second decision raises ExtensionAlreadyDecided."""
    current = await get_extension(session, request_id)
    if current.state != "pending":
        raise ExtensionAlreadyDecided(request_id, current.state)
    anchor = await session.scalar(select(ExtensionRow.hash).where(ExtensionRow.id == request_id))
    values: dict[str, Any] = {
        "request_id": request_id,
        "approve": approve,
        "decided_by": decided_by,
        "decided_at": now,
    }
    insert = dialect_insert(session)
    # The unique request_id decides a race: the loser inserts nothing (PostgreSQL waits for
    # the winner to commit first) and then reads the winner's verdict.
    new_id = await session.scalar(
        insert(ExtensionDecisionRow)
        .values(**values, hash=decision_hash(anchor or "", values))
        .on_conflict_do_nothing(index_elements=["request_id"])
        .returning(ExtensionDecisionRow.id)
    )
    if new_id is None:
        raced = await get_extension(session, request_id)
        raise ExtensionAlreadyDecided(request_id, raced.state)
    return await get_extension(session, request_id)


async def get_extension(session: AsyncSession, request_id: int) -> ExtensionRecord:
    """Return one request or raise UnknownExtension."""
    found = await _select(session, ExtensionRow.id == request_id)
    if not found:
        raise UnknownExtension(request_id)
    return found[0]


async def pending_extensions(session: AsyncSession) -> list[ExtensionRecord]:
    """Return requests awaiting a decision, oldest first."""
    return await _select(session, ExtensionDecisionRow.id.is_(None))


async def all_extensions(session: AsyncSession) -> list[ExtensionRecord]:
    """Return every request, oldest first."""
    return await _select(session)


async def _select(session: AsyncSession, *conditions: object) -> list[ExtensionRecord]:
    decided_at = ExtensionDecisionRow.decided_at
    rows = await session.execute(
        select(
            ExtensionRow,
            TaskRow.task_id,
            UnitRow.name,
            STATE,
            ExtensionDecisionRow.decided_by,
            decided_at,
        )
        .join(TaskRow, TaskRow.id == ExtensionRow.task_id)
        .join(UnitRow, UnitRow.id == ExtensionRow.unit_id)
        .outerjoin(ExtensionDecisionRow, ExtensionDecisionRow.request_id == ExtensionRow.id)
        .where(*conditions)  # type: ignore[arg-type]
        .order_by(decided_at.is_(None), decided_at, ExtensionRow.id)
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
            state=_state(state),
            decided_by=by,
            decided_at=at,
        )
        for x, code, unit, state, by, at in rows
    ]


def _state(value: str) -> ExtensionState:
    if value == "approved":
        return "approved"
    if value == "rejected":
        return "rejected"
    return "pending"
