"""Record progress: one rule set for every door (chat buttons, /report, the CLI, simulate).

What a report says beyond its status is read here, once, whatever door it came through
(`core.readings`): progress against the task's targets (stored with the entry, shown as
`3/5家` and weighed against 序时进度), and an event that a milestone waits for (`印发 3月5日`:
its due date is computed on the office's calendar and stored, and reminders run from then).
A 已完成 that names no milestone, on a task with a recurring deadline, closes the earliest
open occurrence only, as a prompt's buttons would.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from core import evidence, readings, rules
from core.actor import Reporter
from core.errors import (
    DateNotUnderstood,
    DubanError,
    EventNotYet,
    NoEventWaiting,
    NotAUnitChat,
    NotOwner,
)
from core.runtime import Core
from plan_data.events import event_due
from storage import progress
from storage.milestone_queries import milestone_statuses
from storage.milestones import MilestoneStatus
from storage.plans import task_by_id, unit_ids
from storage.records import EntryDraft, EntryRecord, EventDraft, EvidenceRecord, TaskRecord
from vocabulary import DEFAULT_TZ, Status

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
    event_day: date | None = None,
) -> EntryRecord:
    """Record one progress entry for a unit (None: a leadership chat, which may not report);
    `event_day`: the day the event the task's milestone waits for happened."""
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
            is_workday=core.calendar.is_workday,
            tz=core.tz,
            event_day=event_day,
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
    is_workday: Callable[[date], bool] | None = None,
    tz: ZoneInfo = DEFAULT_TZ,
    event_day: date | None = None,
) -> EntryRecord:
    """Check the report's rules, read what it says, and append it, inside the caller's
    transaction."""
    if unit is None:
        raise NotAUnitChat
    rules.check_report(status, note)
    task = await task_by_id(session, task_id)
    if unit not in task.units:
        raise NotOwner(task.id, unit, task.units)
    today = at.astimezone(tz).date()
    mine: list[MilestoneStatus] = []
    recurring = any(m.interval_days is not None for m in task.milestones)
    waits = any(m.kind == "event" for m in task.milestones)
    if waits or (recurring and status == "done" and milestone_id is None):
        unit_id = (await unit_ids(session))[unit]
        mine = await milestone_statuses(session, at, pair=(task.row, unit_id))
    if recurring and status == "done" and milestone_id is None:
        milestone_id = _earliest_open(mine)
    event = _event(task, mine, note, today, event_day, is_workday or _weekday)
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
        readings=readings.read_readings(note, percent, task.targets),
        event=event,
    )
    return await progress.record_entry(session, draft, at, repeat_within=by.repeat_within)


async def recorded_by_update(core: Core, key: str) -> EntryRecord | None:
    """Return the entry an update already recorded (it came again, or was retried)."""
    async with core.db.session(readonly=True) as session:
        return await progress.by_source(session, key)


def _weekday(day: date) -> bool:
    return day.weekday() < 5


def _earliest_open(mine: Sequence[MilestoneStatus]) -> int | None:
    """Return the open milestone due first (a recurring deadline's current occurrence)."""
    open_ones = [m for m in mine if not m.done and m.end is not None]
    if not open_ones:
        return None
    return min(open_ones, key=lambda m: (m.end or date.max, m.milestone_id)).milestone_id


def _event(
    task: TaskRecord,
    mine: Sequence[MilestoneStatus],
    note: str | None,
    today: date,
    given: date | None,
    is_workday: Callable[[date], bool],
) -> EventDraft | None:
    """Return the event a report gives (a day given, or one its note reports), if any."""
    events = {m.id: m for m in task.milestones if m.kind == "event"}
    if not events:
        if given is not None:
            raise NoEventWaiting(task.id)
        return None
    waiting = [m for m in mine if m.waiting and not m.done and m.milestone_id in events]
    if given is not None:
        # Given outright (the CLI): the event still waited for, else a correction of the
        # first one reported.
        milestone = events[waiting[0].milestone_id] if waiting else next(iter(events.values()))
        day = given
    else:
        try:
            found = readings.read_event(note, [m.event or "" for m in waiting], today)
        except ValueError:
            raise DateNotUnderstood(note or "") from None
        if found is None:
            return None
        index, day = found
        milestone = events[waiting[index].milestone_id]
    name = milestone.event or ""
    if day > today:
        raise EventNotYet(name, day)
    return EventDraft(milestone.id, day, event_due(milestone, day, is_workday), name)


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
