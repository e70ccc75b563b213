"""Sign-off steps and leadership levels in storage, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from storage import signoffs
from storage.bindings import bind as bind_chat
from storage.bindings import binding_for
from storage.database import Database
from storage.invites import create_invite, redeem
from storage.plans import task_by_id
from storage.progress import attach_evidence, record_entry
from storage.records import EntryDraft
from storage.status_queries import status_rows
from tests.conftest import LEDGER_NOW

JUNE_23 = LEDGER_NOW.replace(month=6, day=23)


def _done(task: str, unit: str, note: str | None = None) -> EntryDraft:
    return EntryDraft(task, unit, "done", "王科长", "telegram", note=note)


async def _row(db: Database, task: str, unit: str) -> tuple[str, str | None]:
    async with db.session() as session:
        rows = await status_rows(session, JUNE_23, unit)
    row = next(r for r in rows if r.task_id == task)
    return row.light, row.signoff


async def test_done_withdraw_and_done_again_in_one_instant_read_in_order(
    ledger: Database,
) -> None:
    # A frozen clock (or `--at` in whole seconds) gives every step the same time.
    async with ledger.session() as session:
        first = await record_entry(session, _done("3.2", "社会事务科"), JUNE_23)
    assert await _row(ledger, "3.2", "社会事务科") == ("green", "awaiting")
    async with ledger.session() as session:
        await signoffs.record(session, first.id, "withdraw", "王科长", JUNE_23)
    assert (await _row(ledger, "3.2", "社会事务科"))[1] is None  # open again
    async with ledger.session() as session:
        again = await record_entry(session, _done("3.2", "社会事务科", "补报"), JUNE_23)
    assert await _row(ledger, "3.2", "社会事务科") == ("green", "awaiting")
    async with ledger.session() as session:
        await signoffs.record(session, again.id, "pass", "李局长", JUNE_23)
    assert await _row(ledger, "3.2", "社会事务科") == ("done", "signed")


async def test_a_review_gathers_its_round_note_and_evidence_and_a_step_settles_it(
    ledger: Database,
) -> None:
    async with ledger.session() as session:
        task = await task_by_id(session, "2.3")
        deadline = next(m for m in task.milestones if m.kind == "deadline")
        draft = EntryDraft("2.3", "社救科", "done", "王科长", "cli", milestone_id=deadline.id)
        old = await record_entry(session, draft, JUNE_23)
        await attach_evidence(session, old.id, "f-old", "photo", JUNE_23)
        await signoffs.record(session, old.id, "return", "李局长", JUNE_23, reason="不清晰")
        first = await record_entry(session, draft, JUNE_23)
        await attach_evidence(session, first.id, "f-new", "document", JUNE_23)
        latest = await record_entry(
            session,
            EntryDraft(
                "2.3", "社救科", "done", "王科长", "cli", note="已补充", milestone_id=deadline.id
            ),
            JUNE_23,
        )
        found = await signoffs.reviews(session, JUNE_23)
        waiting = await signoffs.review_state(session, first.id, JUNE_23)
        returned = await signoffs.review_state(session, old.id, JUNE_23)
    (item,) = found
    assert item.entry.id == latest.id
    assert item.note == "已补充"
    assert [f.kind for f in item.evidence] == ["document"]  # this round's only
    assert (waiting.waiting, waiting.closed_by) == ((latest.id,), None)
    assert returned.waiting == ()
    assert returned.closed_by is not None
    assert (returned.closed_by.verdict, returned.closed_by.reason) == ("return", "不清晰")


async def test_a_leadership_invite_carries_its_level_to_the_binding(ledger: Database) -> None:
    async with ledger.session() as session:
        invite = await create_invite(session, None, LEDGER_NOW, level=2)
        used = await redeem(session, invite.code, -300, LEDGER_NOW)
        bound = await bind_chat(session, -300, used.unit, LEDGER_NOW, level=used.level)
        again = await binding_for(session, -300)
        plain = await create_invite(session, "社区科", LEDGER_NOW)
        unit = await redeem(session, plain.code, -301, LEDGER_NOW)
        with pytest.raises(ValueError, match="level"):
            await create_invite(session, "社区科", LEDGER_NOW, level=2)
    assert (invite.level, used.unit, used.level) == (2, None, 2)
    assert bound.level == 2
    assert again is not None
    assert again.level == 2
    assert (unit.unit, unit.level) == ("社区科", 1)
