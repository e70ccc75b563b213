"""Sign-off (销号): leadership passes or returns what a unit reported done; a unit may
withdraw its own 已完成 until then. Every step is an append-only row; the milestone's state
is derived by `storage.milestones`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.milestones import MilestoneStatus, milestone_statuses
from storage.models import EntryRow, SignoffRow
from storage.progress import entry as entry_by_id
from storage.records import EntryRecord

Verdict = Literal["pass", "return", "withdraw"]


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
    session: AsyncSession, as_of: datetime, *, unit_id: int | None = None
) -> list[Awaiting]:
    """Return what waits for sign-off as of an instant, in plan order, with its report."""
    found = [
        m
        for m in await milestone_statuses(session, as_of, unit_id=unit_id)
        if m.state == "awaiting" and m.done_entry_id is not None
    ]
    entries = {
        m.done_entry_id: await entry_by_id(session, m.done_entry_id)
        for m in found
        if m.done_entry_id
    }
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
