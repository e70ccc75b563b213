"""Queries the scheduler's reconcile needs, in a few set-wise reads (owned by the scheduler)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import cast

from sqlalchemy import func, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.milestone_queries import milestone_statuses
from storage.milestones import MilestoneStatus
from storage.models import (
    EntryRow,
    OutboxItemRow,
    OutboxRow,
    TaskOwnerRow,
)
from storage.records import LastEntry, OutboxDraft, OutboxKind
from storage.status_queries import newest_entry_id

# Up to this many pairs are named in the query; more are picked from every current pair.
_NAMED_PAIRS = 100

ScheduleMilestone = MilestoneStatus
"""A milestone of a current (task, unit) pair as the scheduler reads it (`storage.milestones`)."""


async def schedule_milestones(
    session: AsyncSession,
    as_of: datetime,
    pair: tuple[int, int] | None = None,
    *,
    signoff: bool = True,
    labels: Mapping[int, tuple[str, str, str]] | None = None,
) -> list[ScheduleMilestone]:
    """Return every milestone of every current pair (or of one pair), in plan order, as of
    an instant: its state (open, awaiting sign-off, signed off) and its due date in force
    (`labels`: every current task's, if already read)."""
    return await milestone_statuses(session, as_of, signoff=signoff, pair=pair, labels=labels)


async def latest_points(
    session: AsyncSession, kinds: Iterable[str], since: date
) -> dict[tuple[int, int, int | None, str], date]:
    """Return the latest point date queued per (task row, unit id, milestone, message kind),
    of the points dated `since` or later (a pass prompts for no day before its floor, so an
    older point is older than any it can decide on: leaving it out changes nothing).

    Only messages queued from the day before `since` on are read (ix_outbox_created), not
    the outbox's earlier years: a message is queued on or after the days its items are for
    (a pass prompts for no day after its own), and the day before covers any time zone.
    """
    queued_from = datetime.combine(since - timedelta(days=1), time(), tzinfo=UTC)
    rows = await session.execute(
        select(
            OutboxItemRow.task_id,
            OutboxItemRow.unit_id,
            OutboxItemRow.milestone_id,
            OutboxRow.kind,
            func.max(OutboxItemRow.point_date),
        )
        .select_from(OutboxRow)
        .join(OutboxItemRow, OutboxItemRow.outbox_id == OutboxRow.id)
        .where(
            OutboxRow.kind.in_(list(kinds)),
            OutboxRow.created_at >= queued_from,
            OutboxItemRow.point_date >= since,
        )
        .group_by(
            OutboxItemRow.task_id,
            OutboxItemRow.unit_id,
            OutboxItemRow.milestone_id,
            OutboxRow.kind,
        )
    )
    return {(t, u, m, k): d for t, u, m, k, d in rows if d is not None}


async def last_entries(
    session: AsyncSession, pairs: Iterable[tuple[int, int]], as_of: datetime
) -> dict[tuple[int, int], LastEntry]:
    """Return the latest entry up to as_of of each of the given (task row, unit id) pairs.

    One index probe per pair (ix_entries_unit_task_time, newest first), whatever the size of
    the ledger: a few pairs are named in the query, many (a busy day's prompts) are read
    over every current pair and picked here.
    """
    wanted = set(pairs)
    if not wanted:
        return {}
    query = select(
        TaskOwnerRow.task_id,
        TaskOwnerRow.unit_id,
        EntryRow.status,
        EntryRow.note,
        EntryRow.created_at,
    ).join(EntryRow, EntryRow.id == newest_entry_id(as_of))
    if len(wanted) <= _NAMED_PAIRS:
        query = query.where(tuple_(TaskOwnerRow.task_id, TaskOwnerRow.unit_id).in_(wanted))
    found: dict[tuple[int, int], LastEntry] = {}
    for task_row, unit_id, status, note, created_at in await session.execute(query):
        if (task_row, unit_id) in wanted:
            found[(task_row, unit_id)] = LastEntry(status, note, created_at)
    return found


async def mark_all_sent(session: AsyncSession, outbox_ids: Iterable[int], now: datetime) -> None:
    """Mark many messages sent at once (a simulation delivers to pseudo chats, in bulk)."""
    ids = list(outbox_ids)
    for start in range(0, len(ids), 500):
        await session.execute(
            update(OutboxRow)
            .where(OutboxRow.id.in_(ids[start : start + 500]), OutboxRow.sent_at.is_(None))
            .values(sent_at=now, attempts=OutboxRow.attempts + 1)
        )


async def existing_keys(session: AsyncSession, keys: Iterable[str]) -> set[str]:
    """Return which of the given dedupe keys the outbox already holds."""
    wanted = list(set(keys))
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        found.update(
            await session.scalars(
                select(OutboxRow.dedupe_key).where(OutboxRow.dedupe_key.in_(chunk))
            )
        )
    return found


async def keys_since(session: AsyncSession, since: datetime) -> set[str]:
    """Return the dedupe keys of every message queued since an instant."""
    return set(
        await session.scalars(select(OutboxRow.dedupe_key).where(OutboxRow.created_at >= since))
    )


async def unsent(session: AsyncSession) -> list[OutboxDraft]:
    """Return every message not yet sent nor given up, in the order a sender claims them."""
    rows = await session.scalars(
        select(OutboxRow)
        .where(OutboxRow.sent_at.is_(None), OutboxRow.failed_at.is_(None))
        .order_by(OutboxRow.not_before, OutboxRow.id)
    )
    return [
        OutboxDraft(
            r.dedupe_key,
            r.chat_id,
            r.recipient,
            cast(OutboxKind, r.kind),
            r.payload,
            r.not_before,
        )
        for r in rows
    ]


async def mark_sent_by_key(session: AsyncSession, keys: Iterable[str], at: datetime) -> None:
    """Mark the messages with these dedupe keys sent at an instant (a simulation's copy of
    the outbox, written back)."""
    wanted = list(keys)
    for start in range(0, len(wanted), 500):
        await session.execute(
            update(OutboxRow)
            .where(
                OutboxRow.dedupe_key.in_(wanted[start : start + 500]), OutboxRow.sent_at.is_(None)
            )
            .values(sent_at=at, attempts=OutboxRow.attempts + 1)
        )
