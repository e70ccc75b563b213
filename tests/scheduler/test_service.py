"""The scheduler service: stateless APScheduler jobs around reconcile, on an injected clock."""

from __future__ import annotations

from plan_data import default_plan_path
from scheduler.clock import FrozenClock
from scheduler.ledger_pass import ReconcileResult
from scheduler.service import SchedulerService, start
from storage.bootstrap import open_ledger
from storage.database import Database
from tests.scheduler.helpers import SETTINGS, at, bind_everyone


async def test_service_runs_reconcile_on_its_clock_and_reports(sqlite_url: str) -> None:
    db = await open_ledger(sqlite_url, default_plan_path(), at(2022, 6, 1, 8))
    try:
        await bind_everyone(db, at(2022, 6, 1, 8))
        clock = FrozenClock(at(2022, 6, 23, 8, 59))
        seen: list[ReconcileResult] = []

        async def after(result: ReconcileResult) -> None:
            seen.append(result)

        service = SchedulerService(db, clock, SETTINGS, after_run=after)
        assert (await service.run_once()).written == ()
        clock.set(at(2022, 6, 23, 9))
        assert any(
            k.startswith("prompt:社救科:2022-06-23") for k in (await service.run_once()).written
        )
        assert len(seen) == 2
    finally:
        await db.close()


async def test_start_schedules_the_tick_and_send_times_and_shuts_down(ledger: Database) -> None:
    service = start(ledger, FrozenClock(at(2022, 6, 23, 8)), SETTINGS)
    try:
        assert service.running
        # The start-up pass runs at once and then leaves the schedule.
        assert {"send-0", "tick"} <= set(service.job_ids()) <= {"send-0", "tick", "start-up"}
        service.start()  # a second start is harmless
        assert {"send-0", "tick"} <= set(service.job_ids()) <= {"send-0", "tick", "start-up"}
    finally:
        service.shutdown()
    assert not service.running
    assert service.job_ids() == []
