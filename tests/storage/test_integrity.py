"""The ledger refuses changes, chains its entries, and `duban verify` finds what was changed."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.exc import IntegrityError

from cli.main import main
from plan_data import default_plan_path
from storage.bootstrap import open_ledger
from storage.chain import ENTRY_FIELDS, GENESIS, entry_hash
from storage.database import Database
from storage.errors import ExtensionAlreadyDecided
from storage.extensions import all_extensions, decide_extension, request_extension
from storage.models import EntryRow
from storage.progress import record_entry
from storage.verify import verify_ledger
from tests.conftest import LEDGER_NOW
from tests.storage.integrity import (
    JUNE_20,
    behind_its_back,
    draft,
    rewrite_note,
    write_history,
)


async def duban_verify(url: str) -> int:
    """Run `duban verify` as the admin would (in a thread: the CLI runs its own event loop)."""
    return await asyncio.to_thread(main, ["--db", url, "verify"])


CHANGES = [
    "UPDATE progress_entries SET note = 'x'",
    "DELETE FROM progress_entries",
    "UPDATE evidence SET kind = 'x'",
    "DELETE FROM evidence",
    "UPDATE extension_requests SET new_date = '2022-12-31'",
    "DELETE FROM extension_requests",
    "UPDATE extension_decisions SET decided_by = 'x'",
    "DELETE FROM extension_decisions",
]

ENTRY = {
    "task_id": 7,
    "unit_id": 3,
    "milestone_id": None,
    "status": "in_progress",
    "note": "签约中",
    "percent": 40,
    "proposed_date": None,
    "reporter": "科长",
    "reporter_chat_id": -100,
    "created_at": datetime(2022, 6, 20, 1, 0, tzinfo=UTC),
    "source": "telegram",
    "source_key": "telegram:12",
}
OTHER_VALUES = {
    "task_id": 8,
    "unit_id": 4,
    "milestone_id": 1,
    "status": "done",
    "note": "签约中。",
    "percent": 41,
    "proposed_date": date(2022, 7, 1),
    "reporter": "科员",
    "reporter_chat_id": -101,
    "created_at": datetime(2022, 6, 20, 1, 0, 0, 1, tzinfo=UTC),
    "source": "cli",
    "source_key": None,
}


def test_entry_hash_covers_every_meaningful_field_and_the_previous_hash() -> None:
    base = entry_hash(GENESIS, ENTRY)
    assert base == entry_hash(GENESIS, dict(ENTRY))  # deterministic
    assert len(base) == 64
    assert entry_hash("1" * 64, ENTRY) != base
    assert set(OTHER_VALUES) == set(ENTRY_FIELDS)
    for name in ENTRY_FIELDS:
        assert entry_hash(GENESIS, {**ENTRY, name: OTHER_VALUES[name]}) != base, name


def test_entry_hash_reads_an_instant_the_same_in_any_time_zone() -> None:
    shanghai = ENTRY["created_at"].astimezone(JUNE_20.tzinfo)  # type: ignore[union-attr]
    assert entry_hash(GENESIS, {**ENTRY, "created_at": shanghai}) == entry_hash(GENESIS, ENTRY)


async def test_every_change_to_a_ledger_row_is_refused(ledger: Database) -> None:
    await write_history(ledger)
    changes = [*CHANGES]
    if ledger.dialect == "postgresql":
        changes.append("TRUNCATE progress_entries CASCADE")
    for statement in changes:
        table = next(word for word in statement.split() if word.islower())
        with pytest.raises(IntegrityError, match=f"{table} is append-only: \\w+ refused"):
            async with ledger.session() as session:
                await session.execute(text(statement))
    async with ledger.session(readonly=True) as session:
        assert (await verify_ledger(session)).ok


async def test_entries_of_a_pair_are_chained_in_the_order_they_were_written(
    ledger: Database,
) -> None:
    history = await write_history(ledger)
    async with ledger.session(readonly=True) as session:
        rows = list(await session.scalars(select(EntryRow).order_by(EntryRow.id)))
    chain = [r for r in rows if r.id in {e.id for e in history.entries}]
    assert chain[0].prev_hash == GENESIS
    assert [r.prev_hash for r in chain[1:]] == [r.hash for r in chain[:-1]]
    (other,) = [r for r in rows if r.id == history.other.id]
    assert other.prev_hash == GENESIS  # a chain of its own


async def test_a_second_successor_of_an_entry_is_refused(ledger: Database) -> None:
    history = await write_history(ledger)
    async with ledger.session(readonly=True) as session:
        head = await session.scalar(select(EntryRow).where(EntryRow.id == history.entries[-1].id))
        assert head is not None
        values = {c.key: getattr(head, c.key) for c in EntryRow.__table__.columns}
    del values["id"]
    values["source_key"] = None
    with pytest.raises(IntegrityError):
        async with ledger.session() as session:
            await session.execute(insert(EntryRow).values(values))


async def test_verify_passes_a_ledger_written_by_the_service(
    ledger: Database, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    await write_history(ledger)
    assert await duban_verify(database_url) == 0
    captured = capsys.readouterr()
    assert captured.out == "ledger verified: 5 entries in 2 chains\n"
    assert captured.err == ""


async def test_verify_names_a_note_changed_behind_the_ledgers_back(
    ledger: Database, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    history = await write_history(ledger)
    changed = history.entries[1]
    await behind_its_back(
        ledger,
        "progress_entries",
        "UPDATE progress_entries SET note = :note WHERE id = :id",
        note="已解决",
        id=changed.id,
    )
    assert await duban_verify(database_url) == 1
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [
        f"entry {changed.id} of 2.3/社救科: content does not match its hash"
        " (changed after it was written)",
        "ledger NOT verified: 1 broken chain(s) among 5 entries in 2 chains",
    ]
    assert "progress_entries no longer refuses UPDATE and DELETE" in captured.err


async def test_verify_finds_a_deleted_middle_entry(ledger: Database) -> None:
    history = await write_history(ledger)
    first, second, third, _ = history.entries
    await behind_its_back(
        ledger, "progress_entries", "DELETE FROM progress_entries WHERE id = :id", id=second.id
    )
    async with ledger.session(readonly=True) as session:
        result = await verify_ledger(session)
    assert [str(b) for b in result.breaks] == [
        f"entry {third.id} of 2.3/社救科: previous hash does not match entry {first.id}"
        f" (an entry between them was removed, or entry {first.id} was rewritten)"
    ]
    assert (result.entries, result.chains) == (4, 2)
    assert result.unguarded == ("progress_entries",)


async def test_verify_finds_a_rewritten_entry_by_the_next_link(ledger: Database) -> None:
    history = await write_history(ledger)
    first, second, *_ = history.entries
    await rewrite_note(ledger, first.id, "已完成")
    async with ledger.session(readonly=True) as session:
        result = await verify_ledger(session)
    assert [(b.kind, b.row_id) for b in result.breaks] == [("entry", second.id)]
    assert f"previous hash does not match entry {first.id}" in result.breaks[0].problem


async def test_verify_finds_a_deleted_first_entry(ledger: Database) -> None:
    history = await write_history(ledger)
    await behind_its_back(
        ledger,
        "evidence",
        "DELETE FROM evidence WHERE entry_id = :id",
        id=history.entries[0].id,
    )
    await behind_its_back(
        ledger,
        "progress_entries",
        "DELETE FROM progress_entries WHERE id = :id",
        id=history.entries[0].id,
    )
    async with ledger.session(readonly=True) as session:
        result = await verify_ledger(session)
    assert [(b.row_id, b.problem) for b in result.breaks] == [
        (
            history.entries[1].id,
            "its previous hash is not the start of a chain (entries before it are missing)",
        )
    ]


async def test_verify_finds_a_flipped_decision_and_a_moved_date(ledger: Database) -> None:
    history = await write_history(ledger)
    await behind_its_back(
        ledger,
        "extension_decisions",
        "UPDATE extension_decisions SET approve = :no",
        no=False,
    )
    await behind_its_back(
        ledger,
        "extension_requests",
        "UPDATE extension_requests SET new_date = :later",
        later=date(2022, 12, 31),
    )
    async with ledger.session(readonly=True) as session:
        (request,) = await all_extensions(session)
        result = await verify_ledger(session)
    assert request.state == "rejected"  # the derived state follows the decision row
    assert [(b.kind, b.row_id, b.pair) for b in result.breaks] == [
        ("extension request", history.extension.id, "2.3/社救科"),
        ("extension decision", 1, "2.3/社救科"),
    ]
    assert (result.requests, result.decisions) == (1, 1)


async def test_a_new_entry_after_a_verified_ledger_keeps_it_verified(ledger: Database) -> None:
    await write_history(ledger)
    async with ledger.session() as session:
        await record_entry(session, draft("2.3", "社救科", "done"), JUNE_20)
    async with ledger.session(readonly=True) as session:
        result = await verify_ledger(session)
    assert result.ok
    assert (result.entries, result.chains, result.unguarded) == (6, 2, ())


@pytest.mark.postgres
async def test_two_leaders_deciding_at_once_on_postgresql_leave_one_decision(
    postgres_url: str,
) -> None:
    db = await open_ledger(postgres_url, default_plan_path(), LEDGER_NOW)
    try:
        async with db.session() as session:
            entry = await record_entry(session, draft("2.3", "社救科", "extension"), JUNE_20)
            request = await request_extension(session, entry.id, date(2022, 8, 31), JUNE_20)

        async def reject() -> ExtensionAlreadyDecided | None:
            try:
                async with db.session() as session:
                    await decide_extension(session, request.id, False, "副局长", JUNE_20)
            except ExtensionAlreadyDecided as exc:
                return exc
            return None

        async with asyncio.TaskGroup() as group, db.session() as first:
            await decide_extension(first, request.id, True, "局长", JUNE_20)
            # The second leader read "pending" too; its insert now waits for ours to commit.
            second = group.create_task(reject())
            await _until_a_backend_waits_for_a_lock(db)
        async with db.session(readonly=True) as session:
            (decided,) = await all_extensions(session)
            assert (await verify_ledger(session)).ok
    finally:
        await db.close()
    lost = second.result()
    assert lost is not None
    assert lost.state == "approved"
    assert (decided.state, decided.decided_by) == ("approved", "局长")


async def _until_a_backend_waits_for_a_lock(db: Database) -> None:
    for _ in range(500):
        async with db.engine.connect() as conn:
            waiting = await conn.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND wait_event_type = 'Lock'"
                )
            )
        if waiting:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the second decision never waited for the first")
