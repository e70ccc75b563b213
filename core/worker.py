"""The worker: scheduler passes and outbox delivery, beside whatever channels serve.

One `Worker` per process. Its task drains the outbox every `drain_interval` seconds,
and runs a scheduler pass then drains at once when woken: by a change in the ledger (an
alert, a request, a decision: `Core.changed`), by the scheduler's timers, or at start-up.
Delivery never runs inside a channel's update handler, so an answer is never kept waiting
behind a long send.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from types import TracebackType

from core.pacing import loop_time
from core.runtime import Core
from core.sender import OutboxSender
from scheduler.ledger_pass import ReconcileResult, reconcile
from scheduler.service import SchedulerService
from storage.database import unreachable

log = logging.getLogger(__name__)

# Another process (a replica, a timer pass) may hold the reconcile lock for a moment.
LOCK_RETRY_DELAYS = (0.05, 0.1, 0.2, 0.5, 1.0)
# How long stopping waits for a pass or a send under way before cutting it short (seconds).
STOP_GRACE = 10.0
# The same unexpected error is logged with its traceback at most this often (seconds).
BUG_REPEAT = 600.0


@dataclass(frozen=True)
class WorkerOptions:
    """How the service runs: timers on or off (tests drive passes by hand), and its pace."""

    timers: bool = True
    # Seconds of real time between looks at the outbox.
    drain_interval: float = 1.0
    # An extra, quicker heartbeat of scheduler passes (seconds of real time; the sandbox).
    tick_interval: float | None = None
    # Chores run once a day, at the first pass of each day (the daily backup).
    daily: tuple[Callable[[datetime], Awaitable[object]], ...] = ()


class Worker:
    """Runs scheduler passes and the sender for one process; use `async with`."""

    def __init__(self, core: Core, sender: OutboxSender, options: WorkerOptions) -> None:
        self.core = core
        self.sender = sender
        self.options = options
        self._wake = asyncio.Event()
        self._pass_due = True  # a pass at start-up
        self._worker: asyncio.Task[None] | None = None
        self._stopping = False
        self._chores_done: date | None = None
        self._scheduler: SchedulerService | None = None
        self._lock = asyncio.Lock()
        self._last_bug: tuple[str, float] | None = None
        core.on_change(self.wake)

    async def __aenter__(self) -> Worker:
        """Start the worker (and the timers, if on)."""
        self._worker = asyncio.get_running_loop().create_task(self._work(), name="duban-service")
        if self.options.timers:
            self._scheduler = SchedulerService(
                self.core.db,
                self.core.clock,
                self.core.policy,
                self.core.calendar,
                on_time=self._on_time,
            )
            self._scheduler.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the timers, then let the worker finish what it is doing (a pass, a send)
        and stop; nothing is sent after this returns."""
        if self._scheduler is not None:
            self._scheduler.shutdown()
            self._scheduler = None
        if self._worker is not None:
            self._stopping = True
            self._wake.set()
            try:
                await asyncio.wait_for(asyncio.shield(self._worker), STOP_GRACE)
            except TimeoutError:
                log.warning("a delivery was still running after %ss; stopping it", STOP_GRACE)
                self._worker.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._worker
            self._worker = None

    @property
    def scheduler(self) -> SchedulerService | None:
        """Return the timer-driven scheduler, when timers are on and running."""
        return self._scheduler

    def wake(self) -> None:
        """Ask for a scheduler pass and a drain soon (never blocks)."""
        self._pass_due = True
        self._wake.set()

    async def run_pass(self, now: datetime | None = None) -> ReconcileResult:
        """Run one scheduler pass now (and the day's chores, the first time today) and send
        what it wrote; the worker's own loop does the same when woken."""
        result = await self._reconcile(now or self.core.now())
        await self._daily_chores()
        await self.sender.drain()
        return result

    async def _reconcile(self, now: datetime) -> ReconcileResult:
        core = self.core
        async with self._lock:
            result = await reconcile(core.db, now, core.policy, core.calendar)
            for delay in LOCK_RETRY_DELAYS:
                if result.ran:
                    break
                await asyncio.sleep(delay)
                result = await reconcile(core.db, now, core.policy, core.calendar)
            if not result.ran:
                # Another replica is running the same pass: what is due gets written once.
                log.debug("reconcile skipped: another process held the lock")
            elif result.written:
                log.info("scheduler queued %d message(s)", len(result.written))
            return result

    async def _on_time(self) -> None:
        # The timers only ask: the worker runs the pass, so stopping never cuts one short.
        self.wake()

    async def _daily_chores(self) -> None:
        today = self.core.today()
        if self._chores_done == today:
            return
        self._chores_done = today
        for chore in self.options.daily:
            try:
                await chore(self.core.now())
            except Exception:
                log.exception("a daily chore failed; it runs again tomorrow")

    async def _work(self) -> None:
        loop = asyncio.get_running_loop()
        tick = self.options.tick_interval
        last_tick = loop.time()
        while not self._stopping:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.options.drain_interval):
                    await self._wake.wait()
            self._wake.clear()
            if self._stopping:
                return
            try:
                if tick is not None and loop.time() - last_tick >= tick:
                    self._pass_due, last_tick = True, loop.time()
                if self._pass_due:
                    self._pass_due = False
                    try:
                        await self._reconcile(self.core.now())
                    except BaseException:
                        self._pass_due = True  # not done: the next turn runs it again
                        raise
                    await self._daily_chores()
                await self.sender.drain()
            except Exception as exc:
                if unreachable(exc):
                    self.sender.ledger.failed(exc, "scheduler pass and delivery")
                else:
                    self._bug(exc)
            else:
                self.sender.ledger.ok()

    def _bug(self, exc: Exception) -> None:
        """Log an unexpected error with its traceback, but not again every second."""
        now = loop_time()
        what = f"{type(exc).__name__}: {exc}"
        last = self._last_bug
        if last is not None and last[0] == what and now - last[1] < BUG_REPEAT:
            log.debug("a scheduler pass or delivery failed again: %s", what)
            return
        self._last_bug = (what, now)
        log.exception("a scheduler pass or delivery failed; trying again shortly")
