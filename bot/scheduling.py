"""The reminder scheduler as the bot runs it: reconcile on a timer and after every change."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING

from scheduler.reconcile import reconcile
from scheduler.settings import load_settings
from storage.database import Database

if TYPE_CHECKING:
    from bot.app import BotConfig
    from bot.context import CustomContext

Reconcile = Callable[[datetime], Awaitable[object]]


def reconciler(db: Database, config: BotConfig) -> Reconcile:
    """Return a function that writes to the outbox whatever is due as of an instant."""
    settings = load_settings(config.policy_file)
    calendar = settings.calendar()
    lock = asyncio.Lock()

    async def run(now: datetime) -> object:
        # One pass at a time: a timer tick and a button's follow-up may coincide.
        async with lock:
            return await reconcile(db, now, settings, calendar)

    return run


async def tick_job(context: CustomContext) -> None:
    """Run one scheduler pass, then send what it wrote (a repeating job)."""
    await context.services.tick()
