"""Sign-off (销号): leadership passes or returns what a unit reported done; a unit may
withdraw its own 已完成 until then. Every step is an append-only row; the milestone's state
is derived by `storage.milestones`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.milestone_queries import milestone_statuses
from storage.milestones import MilestoneStatus
from storage.models import EntryRow, EvidenceRow, SignoffRow
from storage.progress import entries_by_id
from storage.progress import entry as entry_by_id
from storage.records import EntryRecord, EvidenceFile, ReviewItem, Verdict

REOPENING: tuple[Verdict, ...] = ("return", "withdraw")


@dataclass(frozen=True, slots=True)
class SignoffStep:
    """One recorded step: who passed, returned (with why) or withdrew which 已完成, when."""

    id: int
    entry_id: int
    task_row: int
    unit_id: int
    milestone_id: int | None
    verdict: Verdict
    reason: str | None
    by: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Awaiting:
    """A milestone reported done and waiting for sign-off, with the report."""

    milestone: MilestoneStatus
    entry: EntryRecord


async def record(
    session: AsyncSession,
    entry_id: int,
    verdict: Verdict,
    by: str,
    now: datetime,
    *,
    reason: str | None = None,
    by_chat_id: int | None = None,
) -> SignoffStep:
    """Append a step about a 已完成 entry (its task, unit and milestone come from it)."""
    done = await session.get(EntryRow, entry_id)
    if done is None or done.status != "done":
        raise LookupError(f"entry {entry_id} is no 已完成 report")
    row = SignoffRow(
        task_id=done.task_id,
        unit_id=done.unit_id,
        milestone_id=done.milestone_id,
        entry_id=entry_id,
        verdict=verdict,
        reason=reason,
        by=by,
        by_chat_id=by_chat_id,
        at=now,
    )
    session.add(row)
    await session.flush()
    return _step(row)


async def awaiting(
    session: AsyncSession,
    as_of: datetime,
    *,
    unit_id: int | None = None,
    milestones: Sequence[MilestoneStatus] | None = None,
) -> list[Awaiting]:
    """Return what waits for sign-off as of an instant, in plan order, with its report
    (`milestones`: every pair's milestone states as of the same instant, if already read)."""
    if milestones is None or unit_id is not None:
        milestones = await milestone_statuses(session, as_of, unit_id=unit_id)
    found = [m for m in milestones if m.state == "awaiting" and m.done_entry_id is not None]
    entries = await entries_by_id(session, {m.done_entry_id for m in found if m.done_entry_id})
    return [Awaiting(m, entries[m.done_entry_id]) for m in found if m.done_entry_id in entries]


async def steps_for(session: AsyncSession, task_row: int) -> list[SignoffStep]:
    """Return every sign-off step of a task, oldest first (the task page, the history)."""
    rows = await session.scalars(
        select(SignoffRow)
        .where(SignoffRow.task_id == task_row)
        .order_by(SignoffRow.at, SignoffRow.id)
    )
    return [_step(row) for row in rows]


def _step(row: SignoffRow) -> SignoffStep:
    return SignoffStep(
        row.id,
        row.entry_id,
        row.task_id,
        row.unit_id,
        row.milestone_id,
        row.verdict,  # type: ignore[arg-type]
        row.reason,
        row.by,
        row.at,
    )


@dataclass(frozen=True, slots=True)
class ReviewState:
    """Where a reported 已完成 stands now: the reports a step would be about (empty when
    nothing of it waits), and the step that closed its round, if one did."""

    entry: EntryRecord
    milestones: tuple[MilestoneStatus, ...]
    waiting: tuple[int, ...]
    closed_by: SignoffStep | None


async def reviews(
    session: AsyncSession,
    as_of: datetime,
    *,
    begun_by: datetime | None = None,
    unit_id: int | None = None,
    milestones: Sequence[MilestoneStatus] | None = None,
) -> list[ReviewItem]:
    """Return what waits for sign-off as of an instant, one item per report, in plan order;
    with `begun_by`, only rounds whose first 已完成 came by then."""
    grouped: dict[int, list[Awaiting]] = {}
    for waiting in await awaiting(session, as_of, unit_id=unit_id, milestones=milestones):
        grouped.setdefault(waiting.entry.id, []).append(waiting)
    found = []
    for group in grouped.values():
        done = group[0].entry
        milestones = tuple(w.milestone for w in group)
        rows = await _round(session, done, [m.milestone_id for m in milestones], as_of)
        if not rows or (begun_by is not None and rows[0].created_at > begun_by):
            continue
        notes = [r.note for r in rows if r.note]
        files = await session.execute(
            select(EvidenceRow.file_name, EvidenceRow.kind)
            .where(EvidenceRow.entry_id.in_([r.id for r in rows]))
            .order_by(EvidenceRow.id)
        )
        found.append(
            ReviewItem(
                done,
                milestones,
                notes[-1] if notes else None,
                rows[0].created_at,
                tuple(EvidenceFile(name, kind) for name, kind in files),
            )
        )
    return found


async def _round(
    session: AsyncSession, done: EntryRecord, milestone_ids: list[int], as_of: datetime
) -> list[EntryRow]:
    """Return the 已完成 entries of a report's round: after the last 退回 or 撤回 of its
    milestones, up to the report, oldest first."""
    unit_id = await session.scalar(select(EntryRow.unit_id).where(EntryRow.id == done.id))
    same = [
        SignoffRow.task_id == done.task_row,
        SignoffRow.unit_id == unit_id,
        or_(SignoffRow.milestone_id.is_(None), SignoffRow.milestone_id.in_(milestone_ids)),
    ]
    reopened = await session.scalar(
        select(func.max(SignoffRow.entry_id)).where(
            *same, SignoffRow.verdict.in_(REOPENING), SignoffRow.at <= as_of
        )
    )
    rows = await session.scalars(
        select(EntryRow)
        .where(
            EntryRow.task_id == done.task_row,
            EntryRow.unit_id == unit_id,
            EntryRow.status == "done",
            or_(EntryRow.milestone_id.is_(None), EntryRow.milestone_id.in_(milestone_ids)),
            EntryRow.id > (reopened or 0),
            EntryRow.id <= done.id,
            EntryRow.created_at <= as_of,
        )
        .order_by(EntryRow.id)
    )
    return list(rows)


async def review_state(session: AsyncSession, entry_id: int, now: datetime) -> ReviewState:
    """Return where a reported 已完成 stands (raise LookupError if it is no such report)."""
    row = await session.get(EntryRow, entry_id)
    if row is None or row.status != "done":
        raise LookupError(f"entry {entry_id} is no 已完成 report")
    done = await entry_by_id(session, entry_id)
    relevant = tuple(
        m
        for m in await milestone_statuses(session, now, pair=(row.task_id, row.unit_id))
        if row.milestone_id in (None, m.milestone_id)
    )
    ids = {m.milestone_id for m in relevant}
    later = [
        step
        for step in await steps_for(session, row.task_id)
        if step.unit_id == row.unit_id
        and (step.milestone_id is None or step.milestone_id in ids)
        and step.entry_id >= entry_id
        and step.at <= now
    ]
    if later:
        return ReviewState(done, relevant, (), later[0])
    waiting = sorted(
        {m.done_entry_id for m in relevant if m.state == "awaiting" and m.done_entry_id}
    )
    return ReviewState(done, relevant, tuple(waiting), None)
