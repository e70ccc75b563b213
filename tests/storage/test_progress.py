"""Report then status, per (task, unit), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from storage import signoffs
from storage.database import Database
from storage.errors import ExtensionAlreadyDecided, NotOwner, UnknownTask
from storage.extensions import decide_extension, pending_extensions, request_extension
from storage.plans import task_by_id
from storage.progress import (
    all_entries,
    attach_evidence,
    count_entries,
    entries_for,
    record_entry,
)
from storage.records import EntryDraft, EntryStatus, TaskRecord
from storage.status_queries import read_status_facts, status_rows
from storage.timeliness_queries import milestone_timeliness
from tests.conftest import LEDGER_NOW

JUNE_20 = LEDGER_NOW.replace(month=6, day=20)


def draft(
    task: str, unit: str, status: EntryStatus = "in_progress", **extra: object
) -> EntryDraft:
    return EntryDraft(task, unit, status, reporter="tester", source="telegram", **extra)  # type: ignore[arg-type]


async def test_report_then_status_shows_the_entry(ledger: Database) -> None:
    async with ledger.session() as session:
        await record_entry(session, draft("2.3", "社救科", note="签约中", percent=40), JUNE_20)
    async with ledger.session() as session:
        rows = await status_rows(session, JUNE_20 + timedelta(minutes=1), "社救科")
    row = next(r for r in rows if r.task_id == "2.3")
    assert (row.status, row.note, row.percent, row.entries) == ("in_progress", "签约中", 40, 1)
    assert row.updated_at == JUNE_20
    assert row.next_due == date(2022, 6, 30)
    assert row.light == "green"  # ten days left, reported recently
    assert all(r.unit == "社救科" for r in rows)
    async with ledger.session() as session:
        later = await status_rows(session, JUNE_20 + timedelta(days=4), "社救科")
    assert next(r for r in later if r.task_id == "2.3").light == "yellow"  # due within 7 days


async def test_a_task_of_every_unit_has_seven_independent_rows(ledger: Database) -> None:
    async with ledger.session() as session:
        done = await record_entry(session, draft("7.2", "社区科", "done"), JUNE_20)
        await signoffs.record(session, done.id, "pass", "局长", JUNE_20)
        await record_entry(session, draft("7.2", "婚姻科", "blocked", note="缺人"), JUNE_20)
        await record_entry(session, draft("7.2", "殡葬科", "done"), JUNE_20)
        rows = [r for r in await status_rows(session, JUNE_20) if r.task_id == "7.2"]
    assert len(rows) == 7
    lights = {r.unit: (r.light, r.signoff) for r in rows}
    assert lights["社区科"] == ("done", "signed")
    assert lights["婚姻科"] == ("yellow", None)  # 遇到困难
    assert lights["殡葬科"] == ("green", "awaiting")  # reported done, 待验收
    assert lights["综合办"] == ("green", None)  # due 12月31日, nothing reported: no warning
    assert sum(r.entries for r in rows) == 3


async def test_the_same_update_twice_is_one_entry(ledger: Database) -> None:
    async with ledger.session() as session:
        first = await record_entry(
            session, draft("2.3", "社救科", source_key="telegram:901"), JUNE_20
        )
    async with ledger.session() as session:
        again = await record_entry(
            session, draft("2.3", "社救科", "done", source_key="telegram:901"), JUNE_20
        )
        assert again == first
        assert await count_entries(session) == 1


async def test_entries_after_as_of_are_ignored(ledger: Database) -> None:
    async with ledger.session() as session:
        await record_entry(session, draft("2.3", "社救科", "done"), JUNE_20)
        before = await status_rows(session, JUNE_20 - timedelta(seconds=1), "社救科")
        after = await status_rows(session, JUNE_20, "社救科")
    assert next(r for r in before if r.task_id == "2.3").entries == 0
    assert next(r for r in after if r.task_id == "2.3").status == "done"


async def test_done_for_one_milestone_leaves_the_other_open(ledger: Database) -> None:
    async with ledger.session() as session:
        task = await task_by_id(session, "2.3")
        deadline = next(m for m in task.milestones if m.kind == "deadline")
        await record_entry(
            session, draft("2.3", "社救科", "done", milestone_id=deadline.id), JUNE_20
        )
        row = next(r for r in await status_rows(session, JUNE_20) if r.task_id == "2.3")
    # 2.3's only deadline milestone is reported done (待验收); its period milestone has no
    # light of its own. Signed off, the row is 办结.
    assert (row.light, row.signoff) == ("green", "awaiting")
    assert row.open_milestones == ()
    async with ledger.session() as session:
        done = (await entries_for(session, "2.3", "社救科"))[-1]
        await signoffs.record(session, done.id, "pass", "局长", JUNE_20)
        row = next(r for r in await status_rows(session, JUNE_20) if r.task_id == "2.3")
    assert (row.light, row.signoff) == ("done", "signed")


async def test_overdue_turns_red_and_an_approved_extension_moves_the_due_date(
    ledger: Database,
) -> None:
    july_5 = JUNE_20.replace(month=7, day=5)
    async with ledger.session() as session:
        entry = await record_entry(
            session, draft("2.3", "社救科", "extension", proposed_date=date(2022, 8, 31)), july_5
        )
        request = await request_extension(
            session,
            entry.id,
            date(2022, 8, 31),
            july_5,
            old_date=date(2022, 6, 30),
            reason="对方未签字",
        )
        red = next(r for r in await status_rows(session, july_5) if r.task_id == "2.3")
        assert [x.id for x in await pending_extensions(session)] == [request.id]
        await decide_extension(session, request.id, True, "局长", july_5)
        with pytest.raises(ExtensionAlreadyDecided):
            await decide_extension(session, request.id, False, "局长", july_5)
        moved = next(r for r in await status_rows(session, july_5) if r.task_id == "2.3")
    assert red.light == "red"
    assert moved.light == "green"
    assert moved.next_due == date(2022, 8, 31)
    assert moved.open_milestones[0].planned_due == date(2022, 6, 30)


async def test_wrong_task_or_unit_is_refused_and_nothing_is_written(ledger: Database) -> None:
    async with ledger.session() as session:
        with pytest.raises(UnknownTask):
            await record_entry(session, draft("9.9", "社救科"), JUNE_20)
        with pytest.raises(NotOwner):
            await record_entry(session, draft("2.3", "社区科"), JUNE_20)
        assert await count_entries(session) == 0


async def test_evidence_is_attached_to_an_entry(ledger: Database) -> None:
    async with ledger.session() as session:
        entry = await record_entry(session, draft("3.1", "社会事务科", "done"), JUNE_20)
        await attach_evidence(session, entry.id, "FILE-1", "photo", JUNE_20)
        (found,) = await entries_for(session, "3.1", "社会事务科")
    assert [e.file_id for e in found.evidence] == ["FILE-1"]


async def test_evidence_is_found_across_lookup_chunks(
    ledger: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("storage.progress.IN_CHUNK", 2)
    async with ledger.session() as session:
        for n in range(5):
            entry = await record_entry(session, draft("3.1", "社会事务科"), JUNE_20)
            if n % 2 == 0:
                await attach_evidence(session, entry.id, f"FILE-{n}", "photo", JUNE_20)
        found = await all_entries(session)
    assert [[e.file_id for e in f.evidence] for f in found] == [
        ["FILE-0"],
        [],
        ["FILE-2"],
        [],
        ["FILE-4"],
    ]


@pytest.mark.parametrize(
    ("own_first", "due"), [(True, date(2022, 9, 30)), (False, date(2022, 8, 31))]
)
async def test_the_later_of_a_milestones_own_and_its_pairs_extension_sets_its_due_date(
    ledger: Database, own_first: bool, due: date
) -> None:
    # 2.3 社救科: 6月底前完成协议签署. One extension names the milestone (to 8月31日), the
    # other the whole pair (to 9月30日); whichever leadership approved last is in force,
    # for the lights and for the timeliness counts alike.
    async with ledger.session() as session:
        milestone = (await task_by_id(session, "2.3")).milestones[0].id
    own = (date(2022, 8, 31), milestone)
    whole = (date(2022, 9, 30), None)
    july = JUNE_20.replace(month=7, day=1)
    for day, (new_date, about) in enumerate([own, whole] if own_first else [whole, own]):
        when = july + timedelta(days=day)
        async with ledger.session() as session:
            entry = await record_entry(
                session,
                draft("2.3", "社救科", "extension", proposed_date=new_date, milestone_id=about),
                when,
            )
            request = await request_extension(session, entry.id, new_date, when)
            await decide_extension(session, request.id, True, "局长", when)
    later = july + timedelta(days=3)
    async with ledger.session() as session:
        row = next(r for r in await status_rows(session, later) if r.task_id == "2.3")
        timely = await milestone_timeliness(session, later, "社救科", task_id="2.3")
    assert row.open_milestones[0].due == due
    assert timely[0].due == due


async def test_task_words_read_before_a_plan_import_added_a_task_are_read_again(
    ledger: Database,
) -> None:
    # A pass reads the tasks' words once; on PostgreSQL a plan import may commit a task
    # between that read and the digest's: the pairs then read the words again.
    async with ledger.session(readonly=True) as session:
        facts = await read_status_facts(session, JUNE_20, count_entries=False, labels={})
    titles = {pair[1]: pair[3] for pair in facts.pairs}
    assert titles["2.3"] == (await _task(ledger, "2.3")).title


async def _task(ledger: Database, task_id: str) -> TaskRecord:
    async with ledger.session(readonly=True) as session:
        return await task_by_id(session, task_id)
