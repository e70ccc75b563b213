"""The scheduler as a service: APScheduler runs reconcile at start-up, every minute and at the
send times (on the service's clock, so a drill clock's 09:00 is when its prompts go).

Jobs carry no state: each run reads the clock and the database afresh. The job store is the
in-memory one on purpose; APScheduler 3 job stores must never be shared between processes
(several replicas coordinate through the PostgreSQL reconcile lock and the outbox instead).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from apscheduler.executors.asyncio import AsyncIOExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from scheduler.clock import Clock
from scheduler.ledger_pass import ReconcileResult, reconcile
from scheduler.settings import PolicySettings
from scheduler.triggers import ClockTrigger
from scheduler.workdays import WorkCalendar
from storage.database import Database

log = logging.getLogger(__name__)

AfterRun = Callable[[ReconcileResult], Awaitable[None]]
OnTime = Callable[[], Awaitable[None]]


class SchedulerService:
    """Owns an AsyncIOScheduler whose jobs call `run_once`; start it inside a running loop."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        settings: PolicySettings,
        calendar: WorkCalendar | None = None,
        after_run: AfterRun | None = None,
        on_time: OnTime | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.settings = settings
        self.calendar = calendar or settings.calendar()
        self.after_run = after_run
        # What the timers call: a pass of their own (`run_once`), or a callback that asks a
        # worker for one (the running service, which then never cancels a pass mid-way).
        self.on_time = on_time or self._run_quietly
        self._scheduler: AsyncIOScheduler | None = None

    async def run_once(self) -> ReconcileResult:
        """Reconcile as of the clock's now; hand the result to `after_run` (e.g. the sender)."""
        result = await reconcile(self.db, self.clock.now(), self.settings, self.calendar)
        if result.written:
            log.info("scheduler queued %d message(s)", len(result.written))
        if self.after_run is not None:
            await self.after_run(result)
        return result

    async def _run_quietly(self) -> None:
        await self.run_once()

    def start(self) -> None:
        """Add the jobs and start the scheduler (call from a coroutine, e.g. post_init)."""
        if self._scheduler is not None:
            return
        tz = self.settings.timezone
        scheduler = AsyncIOScheduler(
            jobstores={"default": MemoryJobStore()},
            executors={"default": AsyncIOExecutor()},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
            timezone=tz,
        )
        # A pass at once: a restart sends what is due without waiting for the next tick.
        scheduler.add_job(self.on_time, DateTrigger(timezone=tz), id="start-up")
        scheduler.add_job(self.on_time, IntervalTrigger(minutes=1, timezone=tz), id="tick")
        times = {self.settings.send_time, self.settings.digest_time}
        for index, at in enumerate(sorted(times)):
            cron = CronTrigger(hour=at.hour, minute=at.minute, second=1, timezone=tz)
            scheduler.add_job(self.on_time, ClockTrigger(cron, self.clock), id=f"send-{index}")
        scheduler.start()
        self._scheduler = scheduler

    @property
    def running(self) -> bool:
        """Return whether the scheduler has been started and not shut down."""
        return self._scheduler is not None and bool(self._scheduler.running)

    def job_ids(self) -> list[str]:
        """Return the ids of the scheduled jobs."""
        return [job.id for job in self._scheduler.get_jobs()] if self._scheduler else []

    def shutdown(self) -> None:
        """Stop the scheduler without waiting for a running reconcile to finish."""
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None


def start(
    db: Database,
    clock: Clock,
    settings: PolicySettings,
    after_run: AfterRun | None = None,
) -> SchedulerService:
    """Create and start the scheduler service (for the bot's post_init)."""
    service = SchedulerService(db, clock, settings, after_run=after_run)
    service.start()
    return service
