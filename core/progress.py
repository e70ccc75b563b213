"""Record progress: one rule set for every door (chat buttons, /report, the CLI, simulate)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from core import rules
from core.actor import Reporter
from core.errors import NotAUnitChat
from core.runtime import Core
from storage import progress
from storage.records import EntryDraft, EntryRecord, EvidenceRecord
from vocabulary import Status


async def report(
    core: Core,
    unit: str | None,
    task_id: str,
    status: Status,
    *,
    by: Reporter,
    note: str | None = None,
    percent: int | None = None,
    milestone_id: int | None = None,
    at: datetime | None = None,
) -> EntryRecord:
    """Record one progress entry for a unit (None: a leadership chat, which may not report)."""
    async with core.db.session() as session:
        entry = await record(
            session,
            unit,
            task_id,
            status,
            by=by,
            note=note,
            percent=percent,
            milestone_id=milestone_id,
            at=at or core.now(),
        )
    core.changed()
    return entry


async def record(
    session: AsyncSession,
    unit: str | None,
    task_id: str,
    status: Status,
    *,
    by: Reporter,
    at: datetime,
    note: str | None = None,
    percent: int | None = None,
    milestone_id: int | None = None,
) -> EntryRecord:
    """Check the report's rules and append it, inside the caller's transaction."""
    if unit is None:
        raise NotAUnitChat
    rules.check_report(status, note)
    draft = EntryDraft(
        task_id=task_id,
        unit=unit,
        status=status,
        reporter=by.name,
        source=by.source,
        note=note,
        percent=percent,
        milestone_id=milestone_id,
        reporter_chat_id=by.chat_id,
        source_key=by.key,
    )
    return await progress.record_entry(session, draft, at)


async def attach_evidence(core: Core, entry_id: int, file_ref: str, kind: str) -> EvidenceRecord:
    """Keep a file sent in a chat as evidence of an entry."""
    async with core.db.session() as session:
        return await progress.attach_evidence(session, entry_id, file_ref, kind, core.now())
