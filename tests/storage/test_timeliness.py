"""Provisional timeliness per milestone and unit: on time, late, not reported, pending."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from reports.source import build_digest
from storage import signoffs
from storage.database import Database
from storage.progress import record_entry
from storage.records import EntryDraft
from storage.timeliness import classify_timeliness, unit_timeliness
from storage.timeliness_queries import milestone_timeliness
from tests.reports.seed import SH, WEEK27, WEEK28, seed_history

D = date(2022, 6, 30)


@pytest.mark.parametrize(
    ("done_on", "reported", "today", "expected"),
    [
        (date(2022, 6, 30), True, date(2022, 7, 4), "on_time"),
        (date(2022, 7, 1), True, date(2022, 7, 4), "late"),
        (None, True, date(2022, 7, 1), "late"),
        (None, False, date(2022, 7, 1), "not_reported"),
        (None, False, date(2022, 6, 30), "pending"),
        (date(2022, 5, 1), False, date(2022, 5, 2), "on_time"),
    ],
)
def test_a_milestone_is_timely_by_its_done_day_and_reports(
    done_on: date | None, reported: bool, today: date, expected: str
) -> None:
    assert classify_timeliness(D, done_on, reported, today) == expected


async def test_seed_history_reads_as_of_two_mondays(ledger: Database) -> None:
    await seed_history(ledger)
    async with ledger.session() as session:
        week27 = await milestone_timeliness(session, WEEK27)
        week28 = await milestone_timeliness(session, WEEK28)
    by27 = {(m.task_id, m.unit): m for m in week27}
    by28 = {(m.task_id, m.unit): m for m in week28}
    assert by27[("2.1", "社救科")].kind == "late"  # due 1-31, reported, not done
    assert by28[("2.1", "社救科")].kind == "late"  # done 7-5, after 1-31
    assert by27[("2.3", "社救科")].kind == "late"  # due 6-30, extension not yet approved
    assert by28[("2.3", "社救科")].due == date(2022, 7, 15)
    assert by28[("2.3", "社救科")].kind == "pending"  # extended, not due yet
    assert by27[("7.3", "综合办")].kind == "on_time"
    counts = {u.unit: u for u in unit_timeliness(week27)}
    assert counts["社救科"].late == 2
    assert sum(u.not_reported for u in counts.values()) == sum(
        m.kind == "not_reported" for m in week27
    )
    june = await _window(ledger)
    assert {(m.task_id, m.kind) for m in june if m.unit == "社救科"} >= {("2.3", "late")}
    assert all(m.kind != "pending" for m in june)


async def _window(ledger: Database) -> list:  # type: ignore[type-arg]
    async with ledger.session() as session:
        return await milestone_timeliness(
            session, WEEK27, window=(date(2022, 6, 1), date(2022, 6, 30))
        )


async def test_the_first_done_counts_after_a_return_and_every_reader_agrees(
    ledger: Database,
) -> None:
    # 2.3 社救科 is due 6-30: done on time, returned by leadership, done again late.
    async with ledger.session() as session:
        first = await record_entry(
            session,
            EntryDraft("2.3", "社救科", "done", "王科长", "cli", note="协议已签"),
            datetime(2022, 6, 28, 10, tzinfo=SH),
        )
        await signoffs.record(
            session, first.id, "return", "局长", datetime(2022, 6, 29, 9, tzinfo=SH)
        )
        await record_entry(
            session,
            EntryDraft("2.3", "社救科", "done", "王科长", "cli", note="补充材料"),
            datetime(2022, 7, 2, 10, tzinfo=SH),
        )
    async with ledger.session() as session:
        everyone = await milestone_timeliness(session, WEEK27)
        unit = await milestone_timeliness(session, WEEK27, unit="社救科")
        task = await milestone_timeliness(session, WEEK27, task_id="2.3")
        nobody = await milestone_timeliness(session, WEEK27, unit="不存在科")
    signed = next(m for m in everyone if (m.task_id, m.unit) == ("2.3", "社救科"))
    assert (signed.kind, signed.done_on) == ("on_time", date(2022, 6, 28))
    assert unit == [m for m in everyone if m.unit == "社救科"]
    assert task == [m for m in everyone if m.task_id == "2.3"] != []
    assert nobody == []
    # The weekly digest counts the same, from the milestone states its pass read.
    digest = await build_digest(ledger, WEEK27, tz=SH)
    lines = {line.unit: line for line in digest.units}
    for counted in unit_timeliness(everyone):
        line = lines[counted.unit]
        assert (line.on_time, line.late, line.not_reported) == (
            counted.on_time,
            counted.late,
            counted.not_reported,
        )
