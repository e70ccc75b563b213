"""Queries for leadership's reports: streamed entries for the ledger, pending extensions."""

from __future__ import annotations

from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    EntryRow,
    ExtensionDecisionRow,
    ExtensionRow,
    MilestoneRow,
    TaskRow,
    UnitRow,
)

CHUNK = 5_000


class LedgerEntry(NamedTuple):
    """One progress entry as the ledger shows it (a tuple: a million of them stay cheap)."""

    task: str
    unit: str
    status: str
    note: str | None
    percent: int | None
    proposed_date: date | None
    reporter: str | None
    at: datetime


class PendingExtension(NamedTuple):
    """An extension request still awaiting a decision at some instant."""

    task: str
    unit: str
    new_date: date
    old_date: date | None
    action: str | None
    requested_at: datetime


async def entries_page(
    session: AsyncSession,
    until: datetime,
    since: datetime | None = None,
    after_id: int = 0,
    limit: int = CHUNK,
) -> tuple[int, list[LedgerEntry]]:
    """Return up to `limit` entries in [since, until] recorded after entry `after_id`.

    Pages go by entry id (the order of recording) so each page is a short primary-key
    range scan in its own transaction: a million-entry export never holds SQLite's
    write lock for long. Returns the last id seen (0 when the page is empty).
    """
    query = (
        select(
            EntryRow.id,
            TaskRow.task_id,
            UnitRow.name,
            EntryRow.status,
            EntryRow.note,
            EntryRow.percent,
            EntryRow.proposed_date,
            EntryRow.reporter,
            EntryRow.created_at,
        )
        .join(TaskRow, TaskRow.id == EntryRow.task_id)
        .join(UnitRow, UnitRow.id == EntryRow.unit_id)
        .where(EntryRow.id > after_id, EntryRow.created_at <= until)
        .order_by(EntryRow.id)
        .limit(limit)
    )
    if since is not None:
        query = query.where(EntryRow.created_at >= since)
    rows = (await session.execute(query)).all()
    if not rows:
        return 0, []
    return rows[-1][0], [LedgerEntry(*row[1:]) for row in rows]


async def pending_extensions(session: AsyncSession, as_of: datetime) -> list[PendingExtension]:
    """Return requests made by as_of and not decided by then, oldest first."""
    rows = await session.execute(
        select(
            TaskRow.task_id,
            UnitRow.name,
            ExtensionRow.new_date,
            ExtensionRow.old_date,
            MilestoneRow.action,
            ExtensionRow.requested_at,
        )
        .join(TaskRow, TaskRow.id == ExtensionRow.task_id)
        .join(UnitRow, UnitRow.id == ExtensionRow.unit_id)
        .outerjoin(MilestoneRow, MilestoneRow.id == ExtensionRow.milestone_id)
        .outerjoin(ExtensionDecisionRow, ExtensionDecisionRow.request_id == ExtensionRow.id)
        .where(
            ExtensionRow.requested_at <= as_of,
            or_(
                ExtensionDecisionRow.decided_at.is_(None),
                ExtensionDecisionRow.decided_at > as_of,
            ),
            TaskRow.archived_at.is_(None),
        )
        .order_by(ExtensionRow.requested_at, ExtensionRow.id)
    )
    return [PendingExtension(*row) for row in rows]
