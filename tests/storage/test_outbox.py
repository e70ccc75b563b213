"""The outbox: insert-if-absent on the dedupe key, claim what is due, record delivery."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from plan_data import default_plan_path
from storage import outbox
from storage.bootstrap import open_ledger
from storage.database import Database
from storage.plans import task_by_id
from storage.records import OutboxDraft, OutboxItemDraft
from tests.conftest import LEDGER_NOW


async def _draft(ledger: Database, key: str, delay: timedelta = timedelta(0)) -> OutboxDraft:
    async with ledger.session(readonly=True) as session:
        task = await task_by_id(session, "2.3")
    item = OutboxItemDraft(
        task.row, "社救科", "reminder", task.milestones[0].id, date(2022, 6, 30)
    )
    return OutboxDraft(
        key, -100, "社救科", "prompt", {"text": "提醒"}, LEDGER_NOW + delay, (item,)
    )


async def test_enqueue_twice_is_one_message(ledger: Database) -> None:
    draft = await _draft(ledger, "prompt:社救科:2022-06-23")
    async with ledger.session() as session:
        assert await outbox.enqueue(session, draft, LEDGER_NOW)
    async with ledger.session() as session:
        assert not await outbox.enqueue(session, draft, LEDGER_NOW)
        assert await outbox.count_messages(session) == 1
        message = await outbox.by_dedupe_key(session, draft.dedupe_key)
        assert message is not None
        (item,) = await outbox.items_of(session, message.id)
    assert (item.task_id, item.unit, item.item_kind) == ("2.3", "社救科", "reminder")


async def test_a_messages_items_are_stored_in_order_with_their_blanks(ledger: Database) -> None:
    # A busy day's prompt lists hundreds of items; PostgreSQL takes them as arrays.
    async with ledger.session(readonly=True) as session:
        task = await task_by_id(session, "2.3")
    first = task.milestones[0].id
    items = tuple(
        OutboxItemDraft(task.row, "社救科", kind, milestone, day)
        for kind, milestone, day in [
            ("overdue", first, date(2022, 6, 30)),
            ("checkin", None, None),
            ("reminder", first, date(2022, 7, 1)),
        ]
        * 200
    )
    draft = OutboxDraft("busy", -100, "社救科", "prompt", {"text": "提醒"}, LEDGER_NOW, items)
    async with ledger.session() as session:
        assert await outbox.enqueue(session, draft, LEDGER_NOW)
    async with ledger.session() as session:
        message = await outbox.by_dedupe_key(session, "busy")
        assert message is not None
        stored = await outbox.items_of(session, message.id)
    assert [(i.item_kind, i.milestone_id, i.point_date) for i in stored] == [
        (i.item_kind, i.milestone_id, i.point_date) for i in items
    ]
    assert {(i.task_id, i.unit) for i in stored} == {("2.3", "社救科")}


@pytest.mark.postgres
async def test_an_over_long_item_is_refused_whole_not_cut(postgres_url: str) -> None:
    # PostgreSQL takes a message's items as arrays: a value too long for its column fails
    # the INSERT as it did row by row, and the message goes with it.
    ledger = await open_ledger(postgres_url, default_plan_path(), LEDGER_NOW)
    try:
        draft = await _draft(ledger, "too-long")
        (item,) = draft.items
        long_kind = replace(item, item_kind="reminder-of-a-kind-too-long")  # type: ignore[arg-type]
        with pytest.raises(DBAPIError, match="too long"):
            async with ledger.session() as session:
                await outbox.enqueue(session, replace(draft, items=(long_kind,)), LEDGER_NOW)
        async with ledger.session() as session:
            assert await outbox.count_messages(session) == 0
    finally:
        await ledger.close()


async def test_a_payload_is_stored_as_readable_compact_json(ledger: Database) -> None:
    # Chinese as itself, not \\u escapes: a busy day's prompts are hundreds of kilobytes.
    payload = {
        "text": "【督办提醒】\n🔴 2.3 完成协议签署 · 6月30日截止「已逾期」",
        "items": [{"task": "2.3", "milestone_id": None, "due": "2022-06-30", "n": -3}],
        "buttons": "prompt",
        "share": 0.25,
    }
    draft = replace(await _draft(ledger, "readable"), payload=payload)
    async with ledger.session() as session:
        await outbox.enqueue(session, draft, LEDGER_NOW)
        stored = await session.scalar(
            text("SELECT CAST(payload AS TEXT) FROM outbox WHERE dedupe_key = 'readable'")
        )
        message = await outbox.by_dedupe_key(session, "readable")
    assert stored == json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    assert "提醒" in stored
    assert message is not None
    assert message.payload == payload


@pytest.mark.postgres
async def test_a_long_payload_is_stored_lz4_compressed_and_read_back_whole(
    postgres_url: str,
) -> None:
    # A busy day's prompt runs to a hundred kilobytes: lz4 stores it at a third of pglz's cost.
    ledger = await open_ledger(postgres_url, default_plan_path(), LEDGER_NOW)
    try:
        draft = await _draft(ledger, "long")
        text_of_a_busy_day = "\n".join(
            f"{n}. 2.3 创新社会救助方式 · 逾期 6月30日" for n in range(3000)
        )
        long = replace(draft, payload={"text": text_of_a_busy_day})
        async with ledger.session() as session:
            await outbox.enqueue(session, long, LEDGER_NOW)
        async with ledger.session() as session:
            method = await session.scalar(
                text("SELECT pg_column_compression(payload) FROM outbox WHERE dedupe_key = 'long'")
            )
            message = await outbox.by_dedupe_key(session, "long")
    finally:
        await ledger.close()
    assert method == "lz4"
    assert message is not None
    assert message.payload == {"text": text_of_a_busy_day}


async def test_a_claimed_message_is_leased_until_settled_or_the_lease_ends(
    ledger: Database,
) -> None:
    draft = await _draft(ledger, "lease")
    async with ledger.session() as session:
        await outbox.enqueue(session, draft, LEDGER_NOW)
    async with ledger.session() as session:
        (first,) = await outbox.claim_due(session, LEDGER_NOW)
    async with ledger.session() as session:
        # The first sender is still sending (or died): nobody else takes the message yet.
        assert await outbox.claim_due(session, LEDGER_NOW + outbox.CLAIM_LEASE / 2) == []
        (again,) = await outbox.claim_due(session, LEDGER_NOW + outbox.CLAIM_LEASE)
    assert again.id == first.id


async def test_claim_returns_due_messages_and_delivery_is_recorded(ledger: Database) -> None:
    async with ledger.session() as session:
        await outbox.enqueue(session, await _draft(ledger, "now"), LEDGER_NOW)
        await outbox.enqueue(
            session, await _draft(ledger, "later", timedelta(hours=1)), LEDGER_NOW
        )
    async with ledger.session() as session:
        (due,) = await outbox.claim_due(session, LEDGER_NOW, limit=10)
        assert due.dedupe_key == "now"
        await outbox.mark_sent(session, due.id, "555", LEDGER_NOW)
        found = await outbox.by_message(session, -100, "555")
        assert found is not None
        assert found.id == due.id
        assert await outbox.by_message(session, -101, "555") is None
        assert await outbox.claim_due(session, LEDGER_NOW, limit=10) == []
        (retry,) = await outbox.claim_due(session, LEDGER_NOW + timedelta(hours=1), limit=10)
        await outbox.mark_retry(session, retry.id, "timeout", LEDGER_NOW + timedelta(hours=2))
        assert await outbox.claim_due(session, LEDGER_NOW + timedelta(hours=1), limit=10) == []
        await outbox.mark_failed(session, retry.id, "chat not found", LEDGER_NOW)
        assert await outbox.claim_due(session, LEDGER_NOW + timedelta(days=1), limit=10) == []
        (gave_up,) = await outbox.failed(session)
    assert (gave_up.attempts, gave_up.last_error) == (2, "chat not found")


@pytest.mark.postgres
async def test_two_workers_never_claim_the_same_message(postgres_url: str) -> None:
    db = await open_ledger(postgres_url, default_plan_path(), LEDGER_NOW)
    try:
        drafts = [await _draft(db, f"m{n}") for n in range(6)]
        async with db.session() as session:
            for draft in drafts:
                await outbox.enqueue(session, draft, LEDGER_NOW)
        claimed_first = asyncio.Event()
        release = asyncio.Event()

        async def first() -> list[int]:
            async with db.session() as session:
                got = await outbox.claim_due(session, LEDGER_NOW, limit=4)
                claimed_first.set()
                await release.wait()
                return [m.id for m in got]

        async def second() -> list[int]:
            await claimed_first.wait()
            async with db.session() as session:
                got = await outbox.claim_due(session, LEDGER_NOW, limit=4)
            release.set()
            return [m.id for m in got]

        a, b = await asyncio.gather(first(), second())
    finally:
        await db.close()
    assert len(a) == 4
    assert len(b) == 2
    assert not set(a) & set(b)
