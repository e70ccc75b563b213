"""Reconcile against a real database (SQLite and PostgreSQL): once, on time, batched."""

from __future__ import annotations

import asyncio
from collections import Counter

from scheduler.ledger_pass import reconcile
from storage import bindings, outbox
from storage.database import Database
from storage.extensions import decide_extension, request_extension
from storage.locks import reconcile_lock
from storage.progress import record_entry
from storage.records import EntryDraft
from tests.scheduler.helpers import CALENDAR, LEAD_CHAT, SETTINGS, at, bind_everyone, deliver, run

PAYLOAD_KEYS = {"version", "text", "items", "buttons", "extension_id"}
ITEM_KEYS = {"task", "unit", "milestone_id", "kind", "due", "action"}


async def test_reconcile_twice_writes_each_message_once(ledger: Database) -> None:
    chats = await bind_everyone(ledger, at(2022, 6, 1, 8))
    first = await run(ledger, at(2022, 6, 23))
    assert f"prompt:社救科:2022-06-23:{chats['社救科']}" in first.written
    again = await run(ledger, at(2022, 6, 23, 9, 1))
    assert again.ran
    assert again.written == ()


async def test_nothing_before_send_time_nor_on_a_non_workday(ledger: Database) -> None:
    await bind_everyone(ledger, at(2022, 6, 1, 8))
    assert (await run(ledger, at(2022, 6, 24, 8, 59))).written == ()
    assert (await run(ledger, at(2022, 6, 25, 10))).written == ()  # Saturday
    assert (await run(ledger, at(2022, 6, 26, 10))).written == ()  # Sunday
    assert (await run(ledger, at(2022, 6, 24, 9))).written != ()


async def test_one_prompt_message_per_unit_per_day_listing_its_items(ledger: Database) -> None:
    chats = await bind_everyone(ledger, at(2022, 6, 1, 8))
    await run(ledger, at(2022, 6, 24))  # monthly check-in day: many items per unit
    sent = await deliver(ledger, at(2022, 6, 24, 9))
    prompts = [m for m in sent if m.kind == "prompt"]
    per_unit = Counter(m.recipient for m in prompts)
    assert set(per_unit.values()) == {1}
    assert set(per_unit) == set(chats)
    big = next(m for m in prompts if m.recipient == "社救科")
    assert len(big.payload["items"]) > 3
    assert big.payload["text"].count("【督办提醒】") == 1
    assert set(big.payload) == PAYLOAD_KEYS
    assert all(set(i) == ITEM_KEYS for i in big.payload["items"])
    assert big.payload["buttons"] == "prompt"
    assert big.chat_id == chats["社救科"]


async def test_crash_between_writing_and_sending_sends_once(ledger: Database) -> None:
    await bind_everyone(ledger, at(2022, 6, 1, 8))
    written = (await run(ledger, at(2022, 6, 23))).written
    # The process dies here: rows are in the outbox, nothing was sent. It restarts.
    assert (await run(ledger, at(2022, 6, 23, 9, 7))).written == ()
    sent = await deliver(ledger, at(2022, 6, 23, 9, 8))
    assert sorted(m.dedupe_key for m in sent) == sorted(written)
    assert await deliver(ledger, at(2022, 6, 23, 9, 9)) == []
    assert (await run(ledger, at(2022, 6, 23, 9, 10))).written == ()


async def test_service_restarted_a_day_late_collapses_missed_prompts(ledger: Database) -> None:
    await bind_everyone(ledger, at(2022, 6, 1, 8))
    await run(ledger, at(2022, 6, 16))  # D-14 of 2.3 (due 30 June) goes out
    await deliver(ledger, at(2022, 6, 16))
    # Down from 17 June; back on 28 June: D-7 (23 June) and D-3 (27 June) were missed.
    await run(ledger, at(2022, 6, 28, 11))
    sent = await deliver(ledger, at(2022, 6, 28, 11))
    prompt = next(m for m in sent if m.recipient == "社救科" and m.kind == "prompt")
    items = prompt.payload["items"]
    about_23 = [i for i in items if i["task"] == "2.3"]
    assert len(about_23) == 1
    assert about_23[0]["due"] == "2022-06-30"
    assert len({(i["task"], i["milestone_id"]) for i in items}) == len(items)
    async with ledger.session() as session:
        stored = await outbox.items_of(session, prompt.id)
    assert {i.point_date for i in stored if i.task_id == "2.3"} == {at(2022, 6, 27).date()}
    assert (await run(ledger, at(2022, 6, 28, 11, 1))).written == ()


async def test_overdue_escalates_to_leadership_from_the_second_prompt(ledger: Database) -> None:
    await bind_everyone(ledger, at(2022, 1, 4, 8))
    kinds: dict[str, list[str]] = {}
    for day in (7, 8, 9, 10, 11):
        await run(ledger, at(2022, 2, day))
        for message in await deliver(ledger, at(2022, 2, day)):
            kinds.setdefault(message.kind, []).append(message.not_before.date().isoformat())
    assert "2022-02-07" in kinds["prompt"]
    assert "2022-02-10" in kinds["prompt"]
    assert kinds["escalation"] == ["2022-02-10"]


async def test_done_milestone_gets_no_more_prompts(ledger: Database) -> None:
    await bind_everyone(ledger, at(2022, 1, 4, 8))
    await run(ledger, at(2022, 2, 7))
    first = await deliver(ledger, at(2022, 2, 7))
    assert any(i["task"] == "2.1" for m in first for i in m.payload["items"])
    async with ledger.session() as session:
        await record_entry(
            session,
            EntryDraft("2.1", "社救科", "done", "王科长", "cli", note="已印发"),
            at(2022, 2, 8, 15),
        )
    await run(ledger, at(2022, 2, 10))
    sent = await deliver(ledger, at(2022, 2, 10))
    assert not any(
        i["task"] == "2.1" and i["kind"] == "overdue" for m in sent for i in m.payload["items"]
    )
    assert not any(m.kind == "escalation" for m in sent)


async def test_blocked_answer_alerts_leadership_at_once(ledger: Database) -> None:
    await bind_everyone(ledger, at(2022, 6, 1, 8))
    async with ledger.session() as session:
        # Older than a week: history, not news (a restored backup must not re-alert).
        await record_entry(
            session,
            EntryDraft("3.3", "社会事务科", "blocked", "李科长", "cli", note="资金未到"),
            at(2022, 6, 17, 7),
        )
        await record_entry(
            session,
            EntryDraft("3.1", "社会事务科", "in_progress", "李科长", "cli", note="推进中"),
            at(2022, 6, 25, 6),
        )
        entry = await record_entry(
            session,
            EntryDraft("3.2", "社会事务科", "blocked", "李科长", "cli", note="选址未定"),
            at(2022, 6, 25, 7),
        )
    written = (await run(ledger, at(2022, 6, 25, 7, 1))).written  # a Saturday morning
    assert written == (f"alert:{entry.id}:{LEAD_CHAT}",)
    assert (await run(ledger, at(2022, 6, 27, 9))).written.count(written[0]) == 0


async def test_extension_request_and_outcome(ledger: Database) -> None:
    chats = await bind_everyone(ledger, at(2022, 6, 1, 8))
    async with ledger.session() as session:
        entry = await record_entry(
            session,
            EntryDraft("2.3", "社救科", "extension", "王科长", "cli", note="需重新审核"),
            at(2022, 6, 23, 10),
        )
        request = await request_extension(
            session, entry.id, at(2022, 7, 15).date(), at(2022, 6, 23, 10)
        )
    await run(ledger, at(2022, 6, 23, 10, 1))
    sent = await deliver(ledger, at(2022, 6, 23, 10, 1))
    ask = next(m for m in sent if m.kind == "extension_request")
    assert ask.dedupe_key == f"extreq:{request.id}:{LEAD_CHAT}"
    assert ask.payload["buttons"] == "extension_decision"
    assert ask.payload["extension_id"] == request.id
    assert ask.payload["text"].startswith("【延期申请】社救科 · 2.3")
    async with ledger.session() as session:
        await decide_extension(session, request.id, True, "局领导", at(2022, 6, 24, 8))
    written = (await run(ledger, at(2022, 6, 24, 8, 1))).written
    assert written == (f"extout:{request.id}:{chats['社救科']}",)
    # The approved date moves the reminders: nothing about 2.3 on the old D (30 June).
    await deliver(ledger, at(2022, 6, 24, 8, 1))
    await run(ledger, at(2022, 6, 30))
    sent = await deliver(ledger, at(2022, 6, 30))
    assert not any(i["task"] == "2.3" for m in sent for i in m.payload["items"])
    await run(ledger, at(2022, 7, 1))
    sent = await deliver(ledger, at(2022, 7, 1))
    assert any(
        i["task"] == "2.3" and i["due"] == "2022-07-15" for m in sent for i in m.payload["items"]
    )


async def test_weekly_digest_on_first_workday_of_the_week(ledger: Database) -> None:
    await bind_everyone(ledger, at(2022, 9, 1, 8))
    assert not any(k.startswith("digest") for k in (await run(ledger, at(2022, 10, 7, 9))).written)
    written = (await run(ledger, at(2022, 10, 8))).written
    assert f"digest:2022-W40:{LEAD_CHAT}" in written
    assert (await run(ledger, at(2022, 10, 8, 15))).written == ()
    assert f"digest:2022-W41:{LEAD_CHAT}" in (await run(ledger, at(2022, 10, 10))).written


async def test_a_second_process_skips_while_the_lock_is_held(ledger: Database) -> None:
    await bind_everyone(ledger, at(2022, 6, 1, 8))
    async with reconcile_lock(ledger) as held:
        assert held
        result = await reconcile(ledger, at(2022, 6, 23), SETTINGS, CALENDAR)
    # PostgreSQL: the advisory lock is taken, the run is skipped. SQLite is one process.
    assert result.ran is (ledger.dialect != "postgresql")


async def test_a_unit_bound_late_gets_its_latest_missed_prompt(ledger: Database) -> None:
    chats = await bind_everyone(ledger, at(2022, 6, 1, 8))
    async with ledger.session() as session:
        await bindings.unbind(session, chats["社救科"], at(2022, 6, 1, 8))
    written = (await run(ledger, at(2022, 6, 23))).written  # D-7 of 2.3: nobody to tell
    assert not any(k.startswith("prompt:社救科") for k in written)
    async with ledger.session() as session:
        await bindings.bind(session, chats["社救科"], "社救科", at(2022, 6, 24, 8))
    await run(ledger, at(2022, 6, 24))
    sent = await deliver(ledger, at(2022, 6, 24))
    prompt = next(m for m in sent if m.recipient == "社救科")
    assert [i["due"] for i in prompt.payload["items"] if i["task"] == "2.3"] == ["2022-06-30"]


async def test_two_replicas_reconciling_at_once_write_each_message_once(
    ledger: Database, database_url: str
) -> None:
    await bind_everyone(ledger, at(2022, 6, 1, 8))
    other = await Database.connect(database_url)
    try:
        results = await asyncio.gather(
            reconcile(ledger, at(2022, 6, 24), SETTINGS, CALENDAR),
            reconcile(other, at(2022, 6, 24), SETTINGS, CALENDAR),
        )
    finally:
        await other.close()
    written = [key for result in results for key in result.written]
    assert written
    assert len(written) == len(set(written))
    async with ledger.session() as session:
        assert await outbox.count_messages(session) == len(written)
