"""Recurring and event-triggered deadlines through the core, on both databases.

The plan (tests/simulate/fixtures/monthly-and-event-2022.txt): 1.1 社救科 每月28日前 (twelve
occurrences); 1.2 社会事务科 批复之日起20个工作日内 (waits for its approval). 2022's 3月4日 is a
Friday: its 20th workday after is 4月1日.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, text

from bot import render, views
from core import errors, extensions, progress, queries
from core.actor import Reporter
from core.runtime import Core, CoreConfig
from scheduler.clock import FrozenClock
from storage.append_only import drop_append_only_ddl
from storage.models import ReadingRow
from storage.progress import count_entries
from storage.records import StatusRow
from storage.verify import verify_ledger
from vocabulary import DEFAULT_TZ

PLAN = Path(__file__).resolve().parents[1] / "simulate" / "fixtures" / "monthly-and-event-2022.txt"
WANG = Reporter("王科长", "cli")


def at(month: int, day: int, hour: int = 12) -> datetime:
    return datetime(2022, month, day, hour, tzinfo=DEFAULT_TZ)


@pytest.fixture
async def core(database_url: str) -> AsyncIterator[Core]:
    """Yield a core on an empty ledger with the small plan, its clock at 1月27日 noon."""
    opened = await Core.open(CoreConfig(database_url, PLAN), FrozenClock(at(1, 27)))
    try:
        yield opened
    finally:
        await opened.close()


def clock(core: Core) -> FrozenClock:
    assert isinstance(core.clock, FrozenClock)
    return core.clock


async def row(core: Core, task: str, unit: str) -> StatusRow:
    rows = await queries.rows(core, unit)
    return next(r for r in rows if r.task_id == task)


async def test_an_event_milestone_waits_until_its_event_is_reported(core: Core) -> None:
    clock(core).set(at(3, 7))
    waiting = await row(core, "1.2", "社会事务科")
    assert (waiting.light, waiting.next_due, waiting.waiting) == ("green", None, ("批复",))
    shown = views.unit_status("社会事务科", [waiting], core.now(), core.tz)
    assert "🟢 1.2 落实《养老服务设施布局专项规划》 · 待触发（批复）" in shown

    entry = await progress.report(
        core, "社会事务科", "1.2", "in_progress", by=WANG, note="规划已批复 3月4日"
    )
    assert [(e.event_day, e.due, e.event) for e in entry.events] == [
        (date(2022, 3, 4), date(2022, 4, 1), "批复")
    ]
    assert render.recorded("1.2", "in_progress", entry).splitlines()[1] == (
        "已记录批复：3月4日，完成时限为4月1日（周五），此后按期提醒。"
    )
    started = await row(core, "1.2", "社会事务科")
    assert (started.next_due, started.waiting, started.light) == (date(2022, 4, 1), (), "green")
    clock(core).set(at(3, 28))
    assert (await row(core, "1.2", "社会事务科")).light == "yellow"  # within 7 days
    clock(core).set(at(4, 2))
    late = await row(core, "1.2", "社会事务科")
    assert (late.light, late.reason and late.reason.kind) == ("red", "overdue")


async def test_an_event_without_a_date_happened_on_the_day_it_is_reported(core: Core) -> None:
    clock(core).set(at(3, 7))
    entry = await progress.report(core, "社会事务科", "1.2", "in_progress", by=WANG, note="已批复")
    assert [(e.event_day, e.due) for e in entry.events] == [(date(2022, 3, 7), date(2022, 4, 2))]


async def test_a_denied_or_unrelated_note_starts_nothing(core: Core) -> None:
    clock(core).set(at(3, 7))
    for note in ("规划尚未批复，正在修改", "正在编制建设计划"):
        entry = await progress.report(core, "社会事务科", "1.2", "in_progress", by=WANG, note=note)
        assert entry.events == ()
    assert (await row(core, "1.2", "社会事务科")).waiting == ("批复",)


async def test_an_event_dated_ahead_is_refused_and_records_nothing(core: Core) -> None:
    clock(core).set(at(3, 7))
    with pytest.raises(errors.EventNotYet) as refused:
        await progress.report(
            core, "社会事务科", "1.2", "in_progress", by=WANG, note="规划3月10日批复"
        )
    assert render.error(refused.value).startswith("批复的日期3月10日还没到")
    async with core.db.session(readonly=True) as session:
        assert await count_entries(session) == 0


async def test_an_event_day_given_outright_and_a_later_correction(core: Core) -> None:
    clock(core).set(at(3, 7))
    await progress.report(
        core, "社会事务科", "1.2", "in_progress", by=WANG, event_day=date(2022, 3, 4)
    )
    assert (await row(core, "1.2", "社会事务科")).next_due == date(2022, 4, 1)
    clock(core).set(at(3, 8))
    await progress.report(
        core, "社会事务科", "1.2", "in_progress", by=WANG, event_day=date(2022, 3, 7)
    )
    assert (await row(core, "1.2", "社会事务科")).next_due == date(2022, 4, 2)  # a 调休 Saturday
    with pytest.raises(errors.NoEventWaiting):
        await progress.report(
            core, "社救科", "1.1", "in_progress", by=WANG, event_day=date(2022, 3, 4)
        )


async def test_done_without_a_milestone_closes_one_occurrence_of_a_series(core: Core) -> None:
    first = await row(core, "1.1", "社救科")
    assert first.next_due == date(2022, 1, 28)
    await progress.report(core, "社救科", "1.1", "done", by=WANG, note="1月数据已报送")
    assert (await row(core, "1.1", "社救科")).next_due == date(2022, 2, 28)
    clock(core).set(at(3, 1))
    overdue = await row(core, "1.1", "社救科")
    assert (overdue.light, overdue.next_due) == ("red", date(2022, 2, 28))
    await progress.report(core, "社救科", "1.1", "done", by=WANG)
    after = await row(core, "1.1", "社救科")
    assert (after.light, after.next_due) == ("green", date(2022, 3, 28))
    assert len(after.open_milestones) == 10


async def test_readings_and_events_are_sealed_by_their_entries_hash(core: Core) -> None:
    clock(core).set(at(3, 7))
    await progress.report(core, "社会事务科", "1.2", "in_progress", by=WANG, note="已批复 60%")
    async with core.db.session(readonly=True) as session:
        assert (await verify_ledger(session)).ok
        reading = await session.scalar(select(ReadingRow))
    assert reading is not None
    assert (reading.target_id, reading.share) == (None, 0.6)
    db = core.db
    async with db.engine.begin() as conn:
        for ddl in drop_append_only_ddl(db.dialect, "progress_readings"):
            await conn.exec_driver_sql(ddl)
        await conn.execute(text("UPDATE progress_readings SET share = 0.9"))
    async with core.db.session(readonly=True) as session:
        result = await verify_ledger(session)
    assert [(b.kind, b.pair) for b in result.breaks] == [("progress reading", "1.2/社会事务科")]


async def test_a_waiting_milestone_cannot_be_extended_until_its_event_starts_it(
    core: Core,
) -> None:
    clock(core).set(at(3, 7))
    with pytest.raises(errors.NotExtendable) as refused:
        await extensions.request_extension(core, "社会事务科", "1.2", "4月15日", by=WANG)
    assert refused.value.why == "event"
    assert "尚待触发" in render.error(refused.value)
    await progress.report(core, "社会事务科", "1.2", "in_progress", by=WANG, note="已批复 3月4日")
    filed = await extensions.request_extension(core, "社会事务科", "1.2", "4月15日", by=WANG)
    moved = (filed.request.old_date, filed.request.new_date)
    assert moved == (date(2022, 4, 1), date(2022, 4, 15))
