"""A plan's fresh ledger in memory is what the queries read from a database the plan was just
imported into: the same milestones and states, status facts, timeliness and units."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from plan_data import default_plan_path, load_plan
from storage.bootstrap import open_ledger
from storage.fresh_ledger import fresh_ledger
from storage.milestone_queries import milestone_statuses
from storage.plans import unit_ids, unit_names
from storage.status_queries import read_status_facts
from storage.timeliness import timeliness_of
from storage.timeliness_queries import milestone_timeliness

TZ = ZoneInfo("Asia/Shanghai")
# Late in the year: the early deadlines have passed (timeliness tells them apart).
AS_OF = datetime(2022, 7, 4, 9, 0, tzinfo=TZ)
FIXTURES = Path(__file__).resolve().parents[1] / "simulate" / "fixtures"


# The seed has deadlines, periods and ongoing work; the fixture a monthly series and a
# milestone waiting for its event.
@pytest.mark.parametrize(
    ("plan_path", "waits"),
    [(default_plan_path(), False), (FIXTURES / "monthly-and-event-2022.txt", True)],
    ids=["seed", "monthly-and-event"],
)
async def test_a_fresh_ledger_in_memory_reads_as_the_imported_database(
    plan_path: Path, waits: bool, tmp_path: Path
) -> None:
    plan = load_plan(plan_path)
    db = await open_ledger(f"sqlite:///{tmp_path / 'fresh.db'}", plan_path, AS_OF)
    try:
        async with db.session(readonly=True) as session:
            milestones = await milestone_statuses(session, AS_OF)
            status = await read_status_facts(session, AS_OF, count_entries=False)
            timeliness = await milestone_timeliness(session, AS_OF, tz=TZ)
            ids = await unit_ids(session)
            units = await unit_names(session)
    finally:
        await db.close()
    fresh = fresh_ledger(plan)
    assert fresh.milestones == milestones
    assert fresh.status.pairs == status.pairs
    assert fresh.status.milestones == status.milestones
    assert (fresh.status.latest, fresh.status.unanswered, fresh.status.paused) == ({}, {}, {})
    assert (status.latest, status.unanswered, status.paused, status.progress) == ({}, {}, {}, {})
    assert fresh.status.year == status.year == plan.year
    assert timeliness_of(fresh.milestones, set(), AS_OF.date(), TZ) == timeliness
    assert {t.kind for t in timeliness} == {"pending", "not_reported"}
    assert (fresh.unit_ids, fresh.units) == (ids, units)
    assert any(m.waiting for m in fresh.milestones) == waits
