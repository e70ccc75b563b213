"""Queries for leadership's reports: streamed entries for the ledger, pending extensions."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

from sqlalchemy import Dialect, Executable, func, or_, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    EntryRow,
    EvidenceRow,
    ExtensionDecisionRow,
    ExtensionRow,
    MilestoneRow,
    TaskRow,
    UnitRow,
    UtcDateTime,
)

CHUNK = 5_000
STREAM_BATCH = 10_000


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
    # The evidence files kept with it, by name ("现场.jpg、协议.pdf"), if any.
    files: str | None = None


class PendingExtension(NamedTuple):
    """An extension request still awaiting a decision at some instant."""

    task: str
    unit: str
    new_date: date
    old_date: date | None
    action: str | None
    requested_at: datetime


class _StreamedTime(UtcDateTime):
    """UtcDateTime with a leaner reader for the million-row export (same values out).

    asyncpg already returns aware UTC datetimes, so nothing is done to them there; SQLite's
    naive UTC text is parsed and marked UTC in one step instead of three nested calls.
    """

    cache_ok = True

    def result_processor(
        self, dialect: Dialect, coltype: object
    ) -> Callable[[Any], datetime | None] | None:
        """Return the per-row converter for this dialect."""
        if dialect.name == "postgresql" and dialect.driver == "asyncpg":
            return None
        if dialect.name == "sqlite":
            parse = datetime.fromisoformat

            def process(value: Any) -> datetime | None:
                return None if value is None else parse(value).replace(tzinfo=UTC)

            return process
        return super().result_processor(dialect, coltype)


def _entries_query(
    until: datetime, since: datetime | None, batch: int, task_id: str | None = None
) -> Executable:
    # Table columns, not ORM attributes: the rows then skip the ORM's loading machinery,
    # which cost more than the query itself on a million entries (bench_reports).
    entry, task, unit = EntryRow.__table__.c, TaskRow.__table__.c, UnitRow.__table__.c
    evidence = EvidenceRow.__table__.c
    # Evidence is a small table: its names per entry, grouped once and joined.
    files = (
        select(
            evidence.entry_id,
            func.aggregate_strings(func.coalesce(evidence.file_name, evidence.kind), "、").label(
                "files"
            ),
        )
        .group_by(evidence.entry_id)
        .subquery()
    )
    query = (
        select(
            task.task_id,
            unit.name,
            entry.status,
            entry.note,
            entry.percent,
            entry.proposed_date,
            entry.reporter,
            type_coerce(entry.created_at, _StreamedTime()),
            files.c.files,
        )
        .join_from(EntryRow.__table__, TaskRow.__table__, task.id == entry.task_id)
        .join(UnitRow.__table__, unit.id == entry.unit_id)
        .outerjoin(files, files.c.entry_id == entry.id)
        .where(entry.created_at <= until)
        .order_by(entry.id)
    )
    if since is not None:
        query = query.where(entry.created_at >= since)
    if task_id is not None:
        query = query.where(task.task_id == task_id)
    return query.execution_options(yield_per=batch)


async def stream_entries(
    session: AsyncSession,
    until: datetime,
    since: datetime | None = None,
    batch: int = STREAM_BATCH,
    task_id: str | None = None,
) -> AsyncGenerator[list[LedgerEntry], None]:
    """Yield the entries in [since, until] in batches, in the order they were recorded.

    One query whose rows arrive `batch` at a time (a server-side cursor on PostgreSQL,
    fetchmany on SQLite), so memory holds one batch however long the ledger is, and every
    batch comes from the same snapshot. Open the session with `readonly=True`: on SQLite a
    read transaction then never blocks the writers (WAL), however long the export runs.
    """
    result = await session.stream(_entries_query(until, since, batch, task_id))
    try:
        make = LedgerEntry._make
        async for rows in result.partitions(batch):
            yield [make(row) for row in rows]
    finally:
        await result.close()


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


class EvidenceFile(NamedTuple):
    """A file attached to an entry, with the entry's task, unit, reporter and time."""

    task: str
    unit: str
    status: str
    reporter: str
    at: datetime
    kind: str
    file_id: str
    # The kept file (None: known only by its chat reference).
    sha256: str | None
    file_name: str | None
    mime_type: str | None
    size: int | None


async def evidence_files(
    session: AsyncSession, until: datetime, since: datetime | None = None
) -> list[EvidenceFile]:
    """Return the files attached to entries recorded in [since, until], in recording order."""
    query = (
        select(
            TaskRow.task_id,
            UnitRow.name,
            EntryRow.status,
            EntryRow.reporter,
            EntryRow.created_at,
            EvidenceRow.kind,
            EvidenceRow.file_id,
            EvidenceRow.sha256,
            EvidenceRow.file_name,
            EvidenceRow.mime_type,
            EvidenceRow.size,
        )
        .join(EntryRow, EntryRow.id == EvidenceRow.entry_id)
        .join(TaskRow, TaskRow.id == EntryRow.task_id)
        .join(UnitRow, UnitRow.id == EntryRow.unit_id)
        .where(EntryRow.created_at <= until)
        .order_by(EntryRow.created_at, EntryRow.id, EvidenceRow.id)
    )
    if since is not None:
        query = query.where(EntryRow.created_at >= since)
    return [EvidenceFile(*row) for row in await session.execute(query)]


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
