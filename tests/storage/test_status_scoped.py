"""One unit's or one task's status rows, read in one statement, are the bureau's rows for it.

The ledgers are played by `duban simulate` with answers, so they hold every kind of fact a
row is made of: prompts sent and left unanswered (未报), reports with progress against
targets, an event a milestone waits for, extensions approved and rejected, sign-off steps
(通过, 退回, 撤回) and a pause with its resume.
"""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import date, datetime
from pathlib import Path

import pytest

from plan_data import default_plan_path
from scheduler.settings import load_settings
from simulate.answers import parse_answers
from simulate.engine import simulate
from storage.bootstrap import open_ledger
from storage.database import Database
from storage.records import StatusRow
from storage.status_queries import read_rows, status_rows
from tests.conftest import LEDGER_NOW
from vocabulary import DEFAULT_TZ

FIXTURES = Path(__file__).resolve().parents[1] / "simulate" / "fixtures"
SEED_ANSWERS = """\
2022-01-20 2.1 社救科 in_progress 起草文件
2022-03-01 2.5 社区科 in_progress 已走访5个社区
2022-05-10 3.4 社会事务科 done 已完成培训
2022-05-12 pass 3.4 社会事务科
2022-06-01 3.3 社会事务科 blocked 资金未到位
2022-06-10 2.3 社救科 extension 2022-07-15 协议需重新审核
2022-06-13 approve 2.3 社救科
2022-06-15 3.2 社会事务科 in_progress 已建成3家日照中心
2022-06-16 3.2 社会事务科 in_progress 50%
2022-06-20 5.2 社区科 done 选址完成
2022-06-21 return 5.2 社区科 照片不清晰
2022-06-22 4.2 社区科 done 已完成
2022-06-23 4.2 社区科 withdraw
2022-06-27 pause 社救科 2022-07-08 防汛抢险
2022-07-04 resume 社救科
2022-07-05 7.2 综合办 done 已完成
2022-07-06 2.4 社救科 extension 2022-11-30 人员调整
2022-07-07 reject 2.4 社救科
"""


def _at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=15, tzinfo=DEFAULT_TZ)


async def _played(url: str, plan: Path, answers: str, last: date) -> Database:
    await simulate(
        plan, date(2022, 1, 1), last, load_settings(), parse_answers(answers), db_url=url
    )
    return await Database.connect(url)


async def _same_as_the_bureau(db: Database, as_of: datetime) -> list[StatusRow]:
    async with db.session(readonly=True) as session:
        bureau = await status_rows(session, as_of)
        for unit in sorted({r.unit for r in bureau}):
            mine = [r for r in bureau if r.unit == unit]
            assert await status_rows(session, as_of, unit) == mine, unit
            assert await read_rows(db, as_of, unit) == mine, unit
        for task_row in sorted({r.task_row for r in bureau}):
            ours = [r for r in bureau if r.task_row == task_row]
            assert await status_rows(session, as_of, task_row=task_row) == ours
            assert await read_rows(db, as_of, task_row=task_row) == ours
            for row in ours:
                assert await read_rows(db, as_of, row.unit, task_row=task_row) == [row]
        assert await read_rows(db, as_of) == bureau
        assert await status_rows(session, as_of, "没有这个科室") == []
    return bureau


@pytest.mark.slow
async def test_a_unit_or_a_task_reads_the_rows_the_bureau_reads(database_url: str) -> None:
    db = await _played(database_url, default_plan_path(), SEED_ANSWERS, date(2022, 7, 8))
    try:
        seen: list[StatusRow] = []
        for day in ("2022-03-01", "2022-06-22", "2022-06-23", "2022-06-29", "2022-07-08"):
            seen += await _same_as_the_bureau(db, _at(day))
    finally:
        await db.close()
    # The rows compared carry every kind of fact.
    assert any("unreported" in r.flags for r in seen)
    assert any(r.paused is not None for r in seen)
    assert any(r.signoff == "awaiting" for r in seen)
    assert any(r.light == "done" for r in seen)
    assert any(r.progress for r in seen)
    assert any(r.reason is not None and r.reason.kind == "blocked" for r in seen)
    moved = [r for r in seen if r.task_id == "2.3" and r.next_due == date(2022, 7, 15)]
    assert moved


@pytest.mark.slow
async def test_a_milestone_waiting_for_its_event_reads_the_same_for_a_unit(
    database_url: str,
) -> None:
    answers = (FIXTURES / "monthly-and-event-answers.txt").read_text(encoding="utf-8")
    plan = FIXTURES / "monthly-and-event-2022.txt"
    db = await _played(database_url, plan, answers, date(2022, 4, 30))
    try:
        before = await _same_as_the_bureau(db, _at("2022-03-04"))
        after = await _same_as_the_bureau(db, _at("2022-03-08"))
    finally:
        await db.close()
    assert [r.waiting for r in before if r.task_id == "1.2"] == [("批复",)]
    assert [r.next_due for r in after if r.task_id == "1.2"] == [date(2022, 4, 1)]


async def test_a_read_that_finds_the_file_locked_waits_in_a_thread_not_in_the_loop(
    sqlite_url: str,
) -> None:
    # A unit's status is read in line; a SQLite file held exclusively by another process (a
    # writer in exclusive locking mode) sends the read to a thread, so the bot's loop keeps
    # answering other chats until the file is free, and the read then returns the rows.
    db = await open_ledger(sqlite_url, default_plan_path(), LEDGER_NOW)
    try:
        expected = await read_rows(db, LEDGER_NOW, "社救科")
        await db.close()  # every connection of ours lets go of the file
        db = await Database.connect(sqlite_url)
        holder = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None)
        try:
            holder.execute("PRAGMA locking_mode=EXCLUSIVE")
            holder.execute("BEGIN EXCLUSIVE")
            holder.execute("UPDATE service_state SET value = value")
            holder.execute("COMMIT")  # the exclusive lock stays until the connection closes
            read = asyncio.create_task(read_rows(db, LEDGER_NOW, "社救科"))
            done, _ = await asyncio.wait({read}, timeout=0.2)
            assert not done  # still waiting for the file, and the loop runs meanwhile
        finally:
            holder.close()
        assert await read == expected
    finally:
        await db.close()
