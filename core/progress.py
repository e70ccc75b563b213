"""Record progress: one rule set for every door (chat buttons, /report, the CLI, simulate)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from core import evidence, rules
from core.actor import Reporter
from core.errors import DubanError, NotAUnitChat
from core.runtime import Core
from storage import progress
from storage.records import EntryDraft, EntryRecord, EvidenceRecord
from vocabulary import Status

log = logging.getLogger(__name__)


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


async def keep_evidence(
    core: Core,
    entry_id: int,
    *,
    ref: str,
    kind: str,
    name: str | None,
    mime_type: str | None,
    size: int | None,
    fetch: Callable[[], Awaitable[bytes]],
) -> EvidenceRecord:
    """Check a file sent as evidence of an entry, download it, keep it and attach it.

    A file of a type not kept, or announced larger than the limit, is refused before it is
    downloaded (EvidenceNotAllowed, EvidenceTooLarge) and nothing is recorded. A photo,
    which chats send without a name, is named by when it came: 照片20220623-090112.jpg.
    """
    if name is None and kind == "photo":
        name = f"照片{core.now().astimezone(core.tz):%Y%m%d-%H%M%S}.jpg"
    name = evidence.check(name, size, core.evidence.limit)
    try:
        data = await fetch()
    except DubanError:
        raise
    except Exception as exc:
        log.warning("could not download evidence %s: %s", ref, exc)
        raise evidence.EvidenceUnavailable from exc
    kept = await asyncio.to_thread(core.evidence.put, data, name, mime_type)
    async with core.db.session() as session:
        record = await progress.attach_evidence(
            session,
            entry_id,
            ref,
            kind,
            core.now(),
            sha256=kept.sha256,
            file_name=kept.name,
            mime_type=kept.mime_type,
            size=kept.size,
        )
    core.changed()
    return record
