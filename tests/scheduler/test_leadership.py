"""Leadership's two levels and the daily 【办结审核】, reconciled against a real database."""

from __future__ import annotations

import dataclasses
from collections import defaultdict

from scheduler.ledger_pass import reconcile
from storage import bindings, signoffs
from storage.database import Database
from storage.extensions import request_extension
from storage.progress import attach_evidence, record_entry
from storage.records import EntryDraft, OutboxMessage
from tests.scheduler.helpers import CALENDAR, LEAD_CHAT, SETTINGS, at, bind_everyone, deliver, run

TOP_CHAT = 2


async def _bind_top(db: Database, level_one_too: bool = True) -> None:
    async with db.session() as session:
        if not level_one_too:
            await bindings.unbind(session, LEAD_CHAT, at(2022, 1, 4, 8))
        await bindings.bind(session, TOP_CHAT, None, at(2022, 1, 4, 8), level=2)


async def _escalations_by_chat(db: Database, days: range) -> dict[int, list[OutboxMessage]]:
    found: dict[int, list[OutboxMessage]] = defaultdict(list)
    for day in days:
        await run(db, at(2022, 2, day))
        for message in await deliver(db, at(2022, 2, day)):
            if message.kind == "escalation":
                found[message.chat_id].append(message)
    return found


def _day(message: OutboxMessage) -> str:
    return message.not_before.date().isoformat()


def _tasks(message: OutboxMessage) -> set[str]:
    return {i["task"] for i in message.payload["items"]}


async def test_second_level_gets_the_fourth_overdue_escalation_not_the_second(
    ledger: Database,
) -> None:
    # 2.1 (社救科, 印发文件) was due 1月31日: overdue prompts on 2月7日, 10日, 15日, 18日.
    await bind_everyone(ledger, at(2022, 1, 4, 8))
    await _bind_top(ledger)
    found = await _escalations_by_chat(ledger, range(7, 19))
    first = [m for m in found[LEAD_CHAT] if "2.1" in _tasks(m)]
    top = [m for m in found[TOP_CHAT] if "2.1" in _tasks(m)]
    assert [_day(m) for m in first] == ["2022-02-10", "2022-02-15", "2022-02-18"]
    assert [_day(m) for m in top] == ["2022-02-18"]
    # What reaches the second level reached the first the same day (it is a later stage).
    first_by_day = {_day(m): _tasks(m) for m in found[LEAD_CHAT]}
    assert all(_tasks(m) <= first_by_day[_day(m)] for m in found[TOP_CHAT])


async def test_a_second_level_alone_stands_in_for_the_first(ledger: Database) -> None:
    await bind_everyone(ledger, at(2022, 1, 4, 8))
    await _bind_top(ledger, level_one_too=False)
    found = await _escalations_by_chat(ledger, range(7, 11))
    assert [_day(m) for m in found[TOP_CHAT] if "2.1" in _tasks(m)] == ["2022-02-10"]


async def test_digest_goes_to_both_levels_and_requests_to_the_first(ledger: Database) -> None:
    await bind_everyone(ledger, at(2022, 6, 1, 8))
    await _bind_top(ledger)
    async with ledger.session() as session:
        entry = await record_entry(
            session,
            EntryDraft(
                "2.3", "社救科", "extension", "王科长", "cli", proposed_date=at(2022, 7, 15).date()
            ),
            at(2022, 6, 27, 8),
        )
        await request_extension(session, entry.id, at(2022, 7, 15).date(), at(2022, 6, 27, 8))
    await run(ledger, at(2022, 6, 27))  # a Monday: the digest's day
    sent = await deliver(ledger, at(2022, 6, 27))
    to = defaultdict(set)
    for message in sent:
        to[message.kind].add(message.chat_id)
    assert to["digest"] == {LEAD_CHAT, TOP_CHAT}
    assert to["extension_request"] == {LEAD_CHAT}


async def _done(db: Database, task: str, unit: str, when_hour: int, day: int = 23) -> int:
    async with db.session() as session:
        entry = await record_entry(
            session,
            EntryDraft(task, unit, "done", "王科长", "telegram"),
            at(2022, 6, day, when_hour),
        )
    return entry.id


async def _reviews(db: Database, hour: int, day: int) -> list[OutboxMessage]:
    await run(db, at(2022, 6, day, hour))
    return [m for m in await deliver(db, at(2022, 6, day, hour)) if m.kind == "signoff_review"]


async def test_review_goes_out_once_a_workday_listing_what_was_done_by_send_time(
    ledger: Database,
) -> None:
    await bind_everyone(ledger, at(2022, 6, 1, 8))
    await _bind_top(ledger)
    done = await _done(ledger, "2.3", "社救科", 10)
    async with ledger.session() as session:
        await attach_evidence(session, done, "file-1", "photo", at(2022, 6, 23, 10))
    assert await _reviews(ledger, 11, 23) == []  # reported after today's send time
    first = await _reviews(ledger, 9, 24)
    assert [m.chat_id for m in first] == [LEAD_CHAT]  # the first level only
    payload = first[0].payload
    assert payload["buttons"] == "signoff"
    assert payload["reviews"] == [{"entry_id": done, "task": "2.3"}]
    text = payload["text"]
    assert text.startswith("【办结审核】6月24日（周五） · 待验收 1项")
    assert "2.3 创新社会救助方式 · 社救科" in text
    assert "节点：完成协议签署 · 6月30日截止" in text
    assert "佐证：1个（照片）" in text
    assert await _reviews(ledger, 10, 24) == []  # once a day
    # A report after Friday's send time joins Monday's review; Saturday brings none.
    late = await _done(ledger, "3.2", "社会事务科", 15, day=24)
    assert await _reviews(ledger, 10, 25) == []
    monday = await _reviews(ledger, 9, 27)
    assert [r["entry_id"] for r in monday[0].payload["reviews"]] == [done, late]
    async with ledger.session() as session:
        for entry_id in (done, late):
            await signoffs.record(session, entry_id, "pass", "李局长", at(2022, 6, 27, 10))
    assert await _reviews(ledger, 9, 28) == []  # nothing waits


async def test_without_signoff_a_done_closes_at_once_and_no_review_is_sent(
    ledger: Database,
) -> None:
    await bind_everyone(ledger, at(2022, 6, 1, 8))
    await _done(ledger, "2.3", "社救科", 10)
    settings = dataclasses.replace(SETTINGS, signoff=False)
    await reconcile(ledger, at(2022, 6, 24), settings, CALENDAR)
    sent = await deliver(ledger, at(2022, 6, 24))
    assert not [m for m in sent if m.kind == "signoff_review"]
    # …and the reminders of 2.3 stop, as a done did before sign-off existed.
    await reconcile(ledger, at(2022, 6, 27), settings, CALENDAR)
    later = await deliver(ledger, at(2022, 6, 27))
    assert not [i for m in later for i in m.payload["items"] if i["task"] == "2.3"]
