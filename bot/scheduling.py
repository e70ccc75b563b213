"""The reminder scheduler as the bot runs it: the scheduler service, plus a pass on demand."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from scheduler.clock import Clock
from scheduler.reconcile import ReconcileResult, reconcile
from scheduler.service import SchedulerService
from scheduler.settings import PolicySettings, load_settings
from storage.database import Database

if TYPE_CHECKING:
    from bot.app import BotConfig
    from bot.context import CustomContext

log = logging.getLogger(__name__)

Reconcile = Callable[[datetime], Awaitable[object]]
# Another pass (the service's minute tick) may hold the reconcile lock for a moment.
LOCK_RETRY_DELAYS = (0.05, 0.1, 0.2, 0.5, 1.0)


@dataclass
class Scheduling:
    """The policy, a pass on demand, and the timer-driven service when it runs."""

    settings: PolicySettings
    reconcile: Reconcile
    service: SchedulerService | None


def set_up(
    db: Database,
    clock: Clock,
    config: BotConfig,
    after_run: Callable[[ReconcileResult], Awaitable[None]],
) -> Scheduling:
    """Load the policy; start the scheduler service when the config asks for it."""
    settings = load_settings(config.policy_file)
    calendar = settings.calendar()
    lock = asyncio.Lock()

    async def run(now: datetime) -> object:
        # A button's follow-up must not be lost because a timer pass holds the lock.
        async with lock:
            result = await reconcile(db, now, settings, calendar)
            for delay in LOCK_RETRY_DELAYS:
                if result.ran:
                    break
                await asyncio.sleep(delay)
                result = await reconcile(db, now, settings, calendar)
            if not result.ran:
                log.warning("reconcile skipped: another pass held the lock")
            return result

    service = None
    if config.run_scheduler:
        service = SchedulerService(db, clock, settings, calendar, after_run=after_run)
        service.start()
    return Scheduling(settings, run, service)


async def tick_job(context: CustomContext) -> None:
    """Run one scheduler pass, then send what it wrote (the sandbox's quicker heartbeat)."""
    await context.services.tick()
