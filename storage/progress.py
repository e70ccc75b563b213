"""Progress entries: append-only, idempotent on the source update id."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import datetime, timedelta

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from storage.chain import event_hash, link_entry, reading_hash
from storage.errors import InvalidPercent, NotOwner, UnknownMilestone, UnknownStatus
from storage.models import (
    EntryRow,
    EvidenceRow,
    MilestoneEventRow,
    MilestoneRow,
    ReadingRow,
    TargetRow,
    TaskRow,
    UnitRow,
)
from storage.plans import task_by_id
from storage.records import (
    ENTRY_STATUSES,
    EntryDraft,
    EntryRecord,
    EventDraft,
    EvidenceRecord,
    TargetProgress,
    TaskRecord,
)
from storage.upsert import dialect_insert
from vocabulary import Status, read_status

IN_CHUNK = 10_000


def parse_status(text: str) -> Status:
    """Return the status a word names (English or Chinese) or raise UnknownStatus."""
    status = read_status(text)
    if status is None:
        raise UnknownStatus(text)
    return status


async def record_entry(
    session: AsyncSession,
    draft: EntryDraft,
    now: datetime,
    *,
    repeat_within: timedelta | None = None,
) -> EntryRecord:
    """Append an entry; the same source update recorded twice returns the first entry.

    With `repeat_within`, an entry of the same status on the same (task, unit, milestone) by
    the same reporter from the same chat within that long is returned instead (a repeated
    tap records once).
    """
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
    _check_readings(task, draft)
    unit_id = await session.scalar(select(UnitRow.id).where(UnitRow.name == draft.unit))
    if repeat_within is not None:
        repeated = await _repeated(session, draft, task.row, unit_id, now - repeat_within)
        if repeated is not None:
            return repeated
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
    insert = dialect_insert(session)
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
    await _record_readings(session, new_id, values, draft)
    return await entry(session, new_id)


def _check_readings(task: TaskRecord, draft: EntryDraft) -> None:
    """Refuse readings against another task's target, and an event for a milestone that
    does not wait for one."""
    targets = {t.id for t in task.targets}
    for reading in draft.readings:
        if reading.target_id is not None and reading.target_id not in targets:
            raise ValueError(f"target {reading.target_id} is not one of task {task.id}'s")
    if draft.event is not None:
        waits = {m.id for m in task.milestones if m.kind == "event"}
        if draft.event.milestone_id not in waits:
            raise UnknownMilestone(draft.event.milestone_id, task.id)


async def _record_readings(
    session: AsyncSession, entry_id: int, entry: Mapping[str, object], draft: EntryDraft
) -> None:
    """Append what the core read in the entry, each row anchored on the entry's hash."""
    anchor = str(entry["hash"])
    common = {
        "entry_id": entry_id,
        "task_id": entry["task_id"],
        "unit_id": entry["unit_id"],
        "created_at": entry["created_at"],
    }
    for reading in draft.readings:
        values = {
            **common,
            "target_id": reading.target_id,
            "value": float(reading.value),
            "share": float(reading.share),
            "text": reading.text,
        }
        session.add(ReadingRow(**values, hash=reading_hash(anchor, values)))
    if draft.event is not None:
        values = {
            **common,
            "milestone_id": draft.event.milestone_id,
            "event_day": draft.event.event_day,
            "due": draft.event.due,
        }
        session.add(MilestoneEventRow(**values, hash=event_hash(anchor, values)))
    if draft.readings or draft.event is not None:
        await session.flush()


async def _repeated(
    session: AsyncSession, draft: EntryDraft, task_row: int, unit_id: int | None, since: datetime
) -> EntryRecord | None:
    """Return a recent entry this one would repeat, if any."""
    if session.get_bind().dialect.name == "postgresql":
        # Two taps handled at once (two replicas) queue here; SQLite writers queue anyway.
        key = f"{task_row}:{unit_id}:{draft.milestone_id}:{draft.status}:{draft.reporter_chat_id}"
        await session.execute(
            text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"tap {key}"}
        )
    found = await _select(
        session,
        EntryRow.task_id == task_row,
        EntryRow.unit_id == unit_id,
        EntryRow.milestone_id.is_(None)
        if draft.milestone_id is None
        else EntryRow.milestone_id == draft.milestone_id,
        EntryRow.status == draft.status,
        EntryRow.reporter == draft.reporter,
        EntryRow.reporter_chat_id == draft.reporter_chat_id,
        EntryRow.created_at >= since,
    )
    return found[-1] if found else None


async def by_source(session: AsyncSession, source_key: str) -> EntryRecord | None:
    """Return the entry recorded from one update, if any."""
    return await _by_source(session, source_key)


async def entry(session: AsyncSession, entry_id: int) -> EntryRecord:
    """Return one entry with its evidence."""
    found = await _select(session, EntryRow.id == entry_id)
    return found[0]


async def entries_by_id(
    session: AsyncSession, entry_ids: Collection[int]
) -> dict[int, EntryRecord]:
    """Return the entries with these ids (with their evidence), read in one go, by id."""
    if not entry_ids:
        return {}
    ids = list(entry_ids)
    found: dict[int, EntryRecord] = {}
    for start in range(0, len(ids), IN_CHUNK):
        chunk = ids[start : start + IN_CHUNK]
        found.update((e.id, e) for e in await _select(session, EntryRow.id.in_(chunk)))
    return found


async def entries_for(
    session: AsyncSession, task_id: str, unit: str, until: datetime | None = None
) -> list[EntryRecord]:
    """Return the entries of (task, unit), oldest first, optionally up to an instant."""
    conditions = [TaskRow.task_id == task_id, UnitRow.name == unit]
    if until is not None:
        conditions.append(EntryRow.created_at <= until)
    return await _select(session, *conditions)


async def task_entries(
    session: AsyncSession, task_id: str, units: Collection[str], until: datetime | None = None
) -> list[EntryRecord]:
    """Return the entries some units made on a task, oldest first, optionally up to an
    instant (one read for every owner, not one per owner)."""
    conditions = [TaskRow.task_id == task_id, UnitRow.name.in_(list(units))]
    if until is not None:
        conditions.append(EntryRow.created_at <= until)
    return await _select(session, *conditions)


async def all_entries(
    session: AsyncSession,
    since: datetime | None = None,
    until: datetime | None = None,
    *,
    status: Status | None = None,
) -> list[EntryRecord]:
    """Return every entry in a time window (of one status, if given), oldest first (the
    ledger export; a window is read through ix_entries_time, not the whole ledger)."""
    conditions = [] if status is None else [EntryRow.status == status]
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
    readings: dict[int, list[TargetProgress]] = {}
    events: dict[int, list[EventDraft]] = {}
    ids = [e.id for e, _, _ in found]
    # In chunks: drivers cap the number of bound parameters (SQLite 32766, asyncpg 32767).
    for start in range(0, len(ids), IN_CHUNK):
        chunk = ids[start : start + IN_CHUNK]
        for ev in await session.scalars(
            select(EvidenceRow).where(EvidenceRow.entry_id.in_(chunk)).order_by(EvidenceRow.id)
        ):
            evidence.setdefault(ev.entry_id, []).append(_evidence(ev))
        for entry_id, progress in await _readings_of(session, chunk):
            readings.setdefault(entry_id, []).append(progress)
        for entry_id, milestone_id, day, due, event in await session.execute(
            select(
                MilestoneEventRow.entry_id,
                MilestoneEventRow.milestone_id,
                MilestoneEventRow.event_day,
                MilestoneEventRow.due,
                MilestoneRow.event,
            )
            .join(MilestoneRow, MilestoneRow.id == MilestoneEventRow.milestone_id)
            .where(MilestoneEventRow.entry_id.in_(chunk))
            .order_by(MilestoneEventRow.id)
        ):
            events.setdefault(entry_id, []).append(EventDraft(milestone_id, day, due, event or ""))
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
            readings=tuple(readings.get(e.id, ())),
            events=tuple(events.get(e.id, ())),
        )
        for e, task_code, unit in found
    ]


async def _readings_of(
    session: AsyncSession, entry_ids: list[int]
) -> list[tuple[int, TargetProgress]]:
    """Return the progress readings of some entries, with their targets, in entry order."""
    rows = await session.execute(
        select(ReadingRow.entry_id, *READING_COLUMNS)
        .outerjoin(TargetRow, TargetRow.id == ReadingRow.target_id)
        .where(ReadingRow.entry_id.in_(entry_ids))
        .order_by(ReadingRow.id)
    )
    return [
        (entry_id, progress_of(target_id, what, unit, goal, value, share, text))
        for entry_id, target_id, what, unit, goal, value, share, text in rows
    ]


# A reading with its target, as `progress_of` takes it (select from progress_readings outer
# joined to task_targets).
READING_COLUMNS = (
    ReadingRow.target_id,
    TargetRow.what,
    TargetRow.unit,
    TargetRow.value,
    ReadingRow.value,
    ReadingRow.share,
    ReadingRow.text,
)


def progress_of(
    target_id: int | None,
    what: str | None,
    unit: str | None,
    goal: float | None,
    value: float,
    share: float,
    text: str,
) -> TargetProgress:
    """Return a stored reading as progress (a reading without a target: a whole-task %)."""
    if target_id is None:
        return TargetProgress(None, "", "%", None, value, share, text)
    return TargetProgress(target_id, what or "", unit or "", goal, value, share, text)
