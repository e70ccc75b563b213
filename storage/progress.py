"""Progress entries: append-only, idempotent on the source update id."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.chain import link_entry
from storage.errors import InvalidPercent, NotOwner, UnknownMilestone, UnknownStatus
from storage.models import EntryRow, EvidenceRow, TaskRow, UnitRow
from storage.plans import task_by_id
from storage.records import ENTRY_STATUSES, EntryDraft, EntryRecord, EvidenceRecord
from vocabulary import Status, read_status

IN_CHUNK = 10_000


def parse_status(text: str) -> Status:
    """Return the status a word names (English or Chinese) or raise UnknownStatus."""
    status = read_status(text)
    if status is None:
        raise UnknownStatus(text)
    return status


async def record_entry(session: AsyncSession, draft: EntryDraft, now: datetime) -> EntryRecord:
    """Append an entry; the same source update recorded twice returns the first entry."""
    if draft.source_key is not None:
        existing = await _by_source(session, draft.source_key)
        if existing is not None:
            return existing
    if draft.status not in ENTRY_STATUSES:
        raise UnknownStatus(draft.status)
    if draft.percent is not None and not 0 <= draft.percent <= 100:
        raise InvalidPercent(draft.percent)
    task = await task_by_id(session, draft.task_id)
    if draft.unit not in task.units:
        raise NotOwner(task.id, draft.unit, task.units)
    if draft.milestone_id is not None and draft.milestone_id not in {
        m.id for m in task.milestones
    }:
        raise UnknownMilestone(draft.milestone_id, task.id)
    unit_id = await session.scalar(select(UnitRow.id).where(UnitRow.name == draft.unit))
    values = {
        "task_id": task.row,
        "unit_id": unit_id,
        "milestone_id": draft.milestone_id,
        "status": draft.status,
        "note": draft.note,
        "percent": draft.percent,
        "proposed_date": draft.proposed_date,
        "reporter": draft.reporter,
        "reporter_chat_id": draft.reporter_chat_id,
        "created_at": now,
        "source": draft.source,
        "source_key": draft.source_key,
    }
    values |= await link_entry(session, values)  # prev_hash and hash: the pair's hash chain
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(EntryRow)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["source_key"])
        .returning(EntryRow.id)
    )
    new_id = await session.scalar(statement)
    if new_id is None and draft.source_key is not None:
        # Another transaction recorded the same update a moment ago.
        raced = await _by_source(session, draft.source_key)
        if raced is not None:
            return raced
    if new_id is None:
        raise RuntimeError("progress entry was not stored")
    return await entry(session, new_id)


async def entry(session: AsyncSession, entry_id: int) -> EntryRecord:
    """Return one entry with its evidence."""
    found = await _select(session, EntryRow.id == entry_id)
    return found[0]


async def entries_for(
    session: AsyncSession, task_id: str, unit: str, until: datetime | None = None
) -> list[EntryRecord]:
    """Return the entries of (task, unit), oldest first, optionally up to an instant."""
    conditions = [TaskRow.task_id == task_id, UnitRow.name == unit]
    if until is not None:
        conditions.append(EntryRow.created_at <= until)
    return await _select(session, *conditions)


async def all_entries(
    session: AsyncSession, since: datetime | None = None, until: datetime | None = None
) -> list[EntryRecord]:
    """Return every entry in a time window, oldest first (the ledger export)."""
    conditions = []
    if since is not None:
        conditions.append(EntryRow.created_at >= since)
    if until is not None:
        conditions.append(EntryRow.created_at <= until)
    return await _select(session, *conditions)


async def entries_from_chat(
    session: AsyncSession, chat_id: int, since: datetime, task_rows: Iterable[int]
) -> list[EntryRecord]:
    """Return what a chat recorded on some tasks since an instant, oldest first."""
    return await _select(
        session,
        EntryRow.reporter_chat_id == chat_id,
        EntryRow.created_at >= since,
        EntryRow.task_id.in_(set(task_rows)),
    )


async def count_entries(session: AsyncSession) -> int:
    """Return how many entries the ledger holds."""
    return int(await session.scalar(select(func.count()).select_from(EntryRow)) or 0)


async def attach_evidence(
    session: AsyncSession,
    entry_id: int,
    file_id: str,
    kind: str,
    now: datetime,
    *,
    sha256: str | None = None,
    file_name: str | None = None,
    mime_type: str | None = None,
    size: int | None = None,
) -> EvidenceRecord:
    """Attach a file (the chat's reference, and the kept file's hash, name, type, size) to
    an entry; the same kept file attached to the same entry again returns the first row."""
    if sha256 is not None:
        same = await session.scalar(
            select(EvidenceRow)
            .where(EvidenceRow.entry_id == entry_id, EvidenceRow.sha256 == sha256)
            .order_by(EvidenceRow.id)
            .limit(1)
        )
        if same is not None:
            return _evidence(same)
    row = EvidenceRow(
        entry_id=entry_id,
        file_id=file_id,
        kind=kind,
        created_at=now,
        sha256=sha256,
        file_name=file_name,
        mime_type=mime_type,
        size=size,
    )
    session.add(row)
    await session.flush()
    return _evidence(row)


def _evidence(row: EvidenceRow) -> EvidenceRecord:
    return EvidenceRecord(
        row.id,
        row.entry_id,
        row.file_id,
        row.kind,
        row.created_at,
        row.sha256,
        row.file_name,
        row.mime_type,
        row.size,
    )


async def _by_source(session: AsyncSession, source_key: str) -> EntryRecord | None:
    found = await _select(session, EntryRow.source_key == source_key)
    return found[0] if found else None


async def _select(session: AsyncSession, *conditions: object) -> list[EntryRecord]:
    rows = await session.execute(
        select(EntryRow, TaskRow.task_id, UnitRow.name)
        .join(TaskRow, TaskRow.id == EntryRow.task_id)
        .join(UnitRow, UnitRow.id == EntryRow.unit_id)
        .where(*conditions)  # type: ignore[arg-type]
        .order_by(EntryRow.created_at, EntryRow.id)
    )
    found = rows.all()
    evidence: dict[int, list[EvidenceRecord]] = {}
    ids = [e.id for e, _, _ in found]
    # In chunks: drivers cap the number of bound parameters (SQLite 32766, asyncpg 32767).
    for start in range(0, len(ids), IN_CHUNK):
        for ev in await session.scalars(
            select(EvidenceRow)
            .where(EvidenceRow.entry_id.in_(ids[start : start + IN_CHUNK]))
            .order_by(EvidenceRow.id)
        ):
            evidence.setdefault(ev.entry_id, []).append(_evidence(ev))
    return [
        EntryRecord(
            id=e.id,
            task_row=e.task_id,
            task_id=task_code,
            unit=unit,
            milestone_id=e.milestone_id,
            status=e.status,  # type: ignore[arg-type]
            note=e.note,
            percent=e.percent,
            proposed_date=e.proposed_date,
            reporter=e.reporter,
            reporter_chat_id=e.reporter_chat_id,
            created_at=e.created_at,
            source=e.source,
            source_key=e.source_key,
            evidence=tuple(evidence.get(e.id, ())),
        )
        for e, task_code, unit in found
    ]
