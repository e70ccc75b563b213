"""The worker: daily chores once a day, at the first pass of each day."""

from __future__ import annotations

from datetime import datetime, timedelta

from core.runtime import Core, CoreConfig
from core.sender import OutboxSender
from core.worker import Worker, WorkerOptions
from plan_data import default_plan_path
from scheduler.clock import FrozenClock
from vocabulary import DEFAULT_TZ

MORNING = datetime(2022, 6, 23, 8, 0, tzinfo=DEFAULT_TZ)


async def test_a_daily_chore_runs_once_a_day(sqlite_url: str) -> None:
    clock = FrozenClock(MORNING)
    core = await Core.open(CoreConfig(sqlite_url, default_plan_path()), clock)
    days: list[datetime] = []

    async def chore(now: datetime) -> None:
        days.append(now)

    # Timers off and a long drain interval: only the passes this test runs happen.
    options = WorkerOptions(timers=False, drain_interval=3600, daily=(chore,))
    worker = Worker(core, OutboxSender({}, core.db, clock, core.tz), options)
    try:
        for _ in range(3):
            await worker.run_pass()
        clock.advance(timedelta(hours=23))
        await worker.run_pass()
        clock.advance(timedelta(hours=2))
        await worker.run_pass()
    finally:
        await core.close()
    assert days == [MORNING, MORNING + timedelta(hours=23)]
