"""The outbox: messages the scheduler decides and the bot delivers, each exactly once."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.bulk import insert_rows
from storage.models import ChatRow, OutboxItemRow, OutboxRow, TaskRow, UnitRow
from storage.plans import unit_ids
from storage.records import OutboxDraft, OutboxItemRecord, OutboxMessage
from storage.upsert import dialect_insert

OUTBOX_ITEMS = cast(Table, OutboxItemRow.__table__)
_ITEM_COLUMNS = ("outbox_id", "task_id", "unit_id", "milestone_id", "item_kind", "point_date")

# Short: a sender renews its claims while it sends a batch, so a claim outlives only a
# sender that died, and its rows come back soon.
CLAIM_LEASE = timedelta(seconds=60)


async def enqueue(session: AsyncSession, draft: OutboxDraft, now: datetime) -> bool:
    """Insert the message unless its dedupe key exists; return whether it was inserted."""
    return bool(await enqueue_many(session, [draft], now))


async def enqueue_many(
    session: AsyncSession, drafts: Sequence[OutboxDraft], now: datetime
) -> list[str]:
    """Insert each message whose dedupe key is new; return the keys inserted, in order."""
    if not drafts:
        return []
    # One INSERT … ON CONFLICT DO NOTHING for every message (SQLAlchemy batches the rows):
    # it returns the keys that were new, each with its row id.
    statement = (
        dialect_insert(session)(OutboxRow)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(OutboxRow.dedupe_key, OutboxRow.id)
    )
    rows = [
        {
            "dedupe_key": draft.dedupe_key,
            "chat_id": draft.chat_id,
            "recipient": draft.recipient,
            "kind": draft.kind,
            "payload": draft.payload,
            "not_before": draft.not_before,
            "created_at": now,
            "attempts": 0,
            "next_attempt_at": draft.not_before,
        }
        for draft in drafts
    ]
    inserted: dict[str, int] = dict((await session.execute(statement, rows)).all())
    units: dict[str, int] | None = None
    written: list[str] = []
    items: list[tuple[object, ...]] = []
    for draft in drafts:
        # A key twice in one call: its first draft is the one inserted.
        outbox_id = inserted.pop(draft.dedupe_key, None)
        if outbox_id is None:
            continue
        written.append(draft.dedupe_key)
        if not draft.items:
            continue
        if units is None:
            units = await unit_ids(session)  # once per call, not once per message
        items.extend(
            (
                outbox_id,
                item.task_row,
                units[item.unit],
                item.milestone_id,
                item.item_kind,
                item.point_date,
            )
            for item in draft.items
        )
    # One driver call for a busy day's thousands of items (storage.bulk).
    await insert_rows(session, OUTBOX_ITEMS, _ITEM_COLUMNS, items)
    return written


async def claim_due(
    session: AsyncSession,
    now: datetime,
    limit: int = 20,
    lease: timedelta = CLAIM_LEASE,
    channels: Collection[str] | None = None,
    token: str | None = None,
) -> list[OutboxMessage]:
    """Lease unsent messages whose time has come: nobody else gets them until `lease` ends.

    On PostgreSQL the rows are picked with FOR UPDATE SKIP LOCKED, so concurrent senders
    take different rows; the lease (a pushed-back next_attempt_at) then keeps them taken
    after this transaction commits, while the caller sends. `token` names the claim: the
    sender renews its rows' leases by it (`renew_claim`) and re-checks each row is still its
    own just before sending it (`still_claimed`). mark_sent, mark_retry or mark_failed settle
    a message; one whose sender died comes back when the lease ends. With `channels`, only
    messages to chats of those channels are claimed (a process that serves Telegram alone
    leaves WeCom's messages to the process that serves WeCom).
    """
    query = (
        select(OutboxRow)
        .where(
            OutboxRow.sent_at.is_(None),
            OutboxRow.failed_at.is_(None),
            OutboxRow.not_before <= now,
            or_(OutboxRow.next_attempt_at.is_(None), OutboxRow.next_attempt_at <= now),
        )
        .order_by(OutboxRow.not_before, OutboxRow.id)
        .limit(limit)
    )
    if channels is not None:
        served = select(ChatRow.chat_id).where(ChatRow.channel.in_(list(channels)))
        query = query.where(OutboxRow.chat_id.in_(served))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = list(await session.scalars(query))
    claimed = [_message(row) for row in rows]
    for row in rows:
        row.next_attempt_at = now + lease
        row.claim_token = token
    await session.flush()
    return claimed


async def still_claimed(
    session: AsyncSession, outbox_id: int, token: str, until: datetime
) -> bool:
    """Return whether the row is unsent, not given up and still held by `token`, pushing its
    lease to `until` if so: the last look before a row is sent."""
    result = await session.execute(
        update(OutboxRow)
        .where(
            OutboxRow.id == outbox_id,
            OutboxRow.claim_token == token,
            OutboxRow.sent_at.is_(None),
            OutboxRow.failed_at.is_(None),
        )
        .values(next_attempt_at=until)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def renew_claim(session: AsyncSession, token: str, until: datetime) -> int:
    """Push the lease of every unsettled row the claim holds to `until`; return how many."""
    result = await session.execute(
        update(OutboxRow)
        .where(
            OutboxRow.claim_token == token,
            OutboxRow.sent_at.is_(None),
            OutboxRow.failed_at.is_(None),
        )
        .values(next_attempt_at=until)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def mark_sent(
    session: AsyncSession, outbox_id: int, message_ref: str | None, now: datetime
) -> None:
    """Record a successful delivery and the channel's reference to the message.

    One statement: the time between the channel's accept and this record is when a crash
    would send the message again, so it is kept as short as the database allows.
    """
    await session.execute(
        update(OutboxRow)
        .where(OutboxRow.id == outbox_id)
        .values(
            sent_at=now,
            message_ref=message_ref,
            attempts=OutboxRow.attempts + 1,
            last_error=None,
            claim_token=None,
        )
    )


async def mark_retry(
    session: AsyncSession,
    outbox_id: int,
    error: str,
    next_attempt_at: datetime,
    parts_sent: int | None = None,
) -> None:
    """Record a failed attempt to be retried later (and how many parts already went)."""
    row = await _row(session, outbox_id)
    row.attempts += 1
    row.last_error, row.next_attempt_at = error, next_attempt_at
    row.claim_token = None
    if parts_sent is not None:
        row.parts_sent = parts_sent
    await session.flush()


async def mark_failed(session: AsyncSession, outbox_id: int, error: str, now: datetime) -> None:
    """Give up on a message for good."""
    row = await _row(session, outbox_id)
    row.attempts += 1
    row.last_error, row.failed_at = error, now
    row.claim_token = None
    await session.flush()


async def failed(session: AsyncSession) -> list[OutboxMessage]:
    """Return messages given up on, oldest first."""
    rows = await session.scalars(
        select(OutboxRow).where(OutboxRow.failed_at.is_not(None)).order_by(OutboxRow.id)
    )
    return [_message(row) for row in rows]


async def get(session: AsyncSession, outbox_id: int) -> OutboxMessage | None:
    """Return one message by id."""
    row = await session.get(OutboxRow, outbox_id)
    return _message(row) if row else None


async def by_dedupe_key(session: AsyncSession, dedupe_key: str) -> OutboxMessage | None:
    """Return the message with this dedupe key."""
    row = await session.scalar(select(OutboxRow).where(OutboxRow.dedupe_key == dedupe_key))
    return _message(row) if row else None


async def count_messages(session: AsyncSession) -> int:
    """Return how many messages the outbox holds."""
    return int(await session.scalar(select(func.count()).select_from(OutboxRow)) or 0)


async def items_of(session: AsyncSession, outbox_id: int) -> list[OutboxItemRecord]:
    """Return the items of one message, in order."""
    return await _items(session, OutboxItemRow.outbox_id == outbox_id)


async def items_of_many(
    session: AsyncSession, outbox_ids: Collection[int]
) -> dict[int, list[OutboxItemRecord]]:
    """Return the items of each message (every id a key, in order), in one query per 500."""
    found: dict[int, list[OutboxItemRecord]] = {i: [] for i in outbox_ids}
    ids = list(found)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for record in await _items(session, OutboxItemRow.outbox_id.in_(chunk)):
            found[record.outbox_id].append(record)
    return found


async def item(session: AsyncSession, item_id: int) -> OutboxItemRecord | None:
    """Return one outbox item, or None."""
    found = await _items(session, OutboxItemRow.id == item_id)
    return found[0] if found else None


async def by_message(
    session: AsyncSession, chat_id: int, message_ref: str
) -> OutboxMessage | None:
    """Return the sent message a chat knows by this reference (what a reply points at)."""
    row = await session.scalar(
        select(OutboxRow).where(OutboxRow.chat_id == chat_id, OutboxRow.message_ref == message_ref)
    )
    return _message(row) if row else None


async def recent_to_chat(
    session: AsyncSession, chat_id: int, kind: str, limit: int = 30
) -> list[OutboxMessage]:
    """Return the latest messages of a kind queued for a chat, newest first."""
    rows = await session.scalars(
        select(OutboxRow)
        .where(OutboxRow.chat_id == chat_id, OutboxRow.kind == kind)
        .order_by(OutboxRow.id.desc())
        .limit(limit)
    )
    return [_message(row) for row in rows]


async def _items(session: AsyncSession, *conditions: object) -> list[OutboxItemRecord]:
    rows = await session.execute(
        select(OutboxItemRow, TaskRow.task_id, UnitRow.name)
        .join(OutboxRow, OutboxRow.id == OutboxItemRow.outbox_id)
        .join(TaskRow, TaskRow.id == OutboxItemRow.task_id)
        .join(UnitRow, UnitRow.id == OutboxItemRow.unit_id)
        .where(*conditions)  # type: ignore[arg-type]
        .order_by(OutboxItemRow.id)
    )
    return [
        OutboxItemRecord(
            i.id, i.outbox_id, i.task_id, code, unit, i.milestone_id, i.item_kind, i.point_date
        )
        for i, code, unit in rows
    ]


async def _row(session: AsyncSession, outbox_id: int) -> OutboxRow:
    row = await session.get(OutboxRow, outbox_id)
    if row is None:
        raise LookupError(f"no outbox message {outbox_id}")
    return row


def _message(row: OutboxRow) -> OutboxMessage:
    return OutboxMessage(
        id=row.id,
        dedupe_key=row.dedupe_key,
        chat_id=row.chat_id,
        recipient=row.recipient,
        kind=row.kind,
        payload=dict(row.payload),
        not_before=row.not_before,
        created_at=row.created_at,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        sent_at=row.sent_at,
        message_ref=row.message_ref,
        failed_at=row.failed_at,
        last_error=row.last_error,
        parts_sent=row.parts_sent,
    )
