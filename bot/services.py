"""What the handlers use: the ledger, the clock, the unit names, the sender and the scheduler."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.scheduling import Reconcile, set_up
from bot.sender import OutboxSender
from bot.telegram_channel import TelegramChannel
from plan_data.units import UnitResolver
from scheduler.clock import Clock
from scheduler.reconcile import ReconcileResult
from scheduler.service import SchedulerService
from storage.bootstrap import open_ledger
from storage.database import Database
from storage.plans import unit_names
from storage.records import BindingRecord, StatusRow

if TYPE_CHECKING:
    from bot.app import BotConfig
    from bot.context import DubanApp

log = logging.getLogger(__name__)


class BindingCache:
    """Recent answers to "what is this chat bound to?", so chatter costs no database trip.

    Only this process binds and unbinds chats (through `bot.ledger`, which updates the cache);
    the short lifetime covers an admin changing the database by hand.
    """

    def __init__(self, ttl: float = 30.0) -> None:
        self._ttl = ttl
        self._known: dict[int, tuple[BindingRecord | None, float]] = {}

    def get(self, chat_id: int) -> tuple[bool, BindingRecord | None]:
        """Return (known, binding) for a chat."""
        found = self._known.get(chat_id)
        if found is None or found[1] < time.monotonic():
            return False, None
        return True, found[0]

    def put(self, chat_id: int, binding: BindingRecord | None) -> None:
        """Remember a chat's binding (or that it has none)."""
        self._known[chat_id] = (binding, time.monotonic() + self._ttl)


class StatusCache:
    """Status rows recently read, per unit; the bot's own writes clear it at once.

    A burst of /status costs one query per unit and day. Changes made outside the bot
    (`duban report`) show up once the short lifetime ends.
    """

    def __init__(self, ttl: float = 10.0) -> None:
        self._ttl = ttl
        self._rows: dict[tuple[str | None, date], tuple[list[StatusRow], float]] = {}

    def get(self, unit: str | None, day: date) -> list[StatusRow] | None:
        """Return the cached rows of a unit (None: the bureau) for a day, if fresh."""
        found = self._rows.get((unit, day))
        if found is None or found[1] < time.monotonic():
            return None
        return found[0]

    def put(self, unit: str | None, day: date, rows: list[StatusRow]) -> None:
        """Remember a unit's rows for a day."""
        self._rows[(unit, day)] = (rows, time.monotonic() + self._ttl)

    def clear(self) -> None:
        """Forget everything (after any write to the ledger)."""
        self._rows.clear()


@dataclass
class BotServices:
    """The running bot's resources; opened in post_init, closed in post_shutdown."""

    db: Database
    clock: Clock
    tz: ZoneInfo
    units: UnitResolver
    sender: OutboxSender
    reconcile: Reconcile
    scheduler: SchedulerService | None = None
    bindings: BindingCache = field(default_factory=BindingCache)
    statuses: StatusCache = field(default_factory=StatusCache)

    def now(self) -> datetime:
        """Return the service clock's current instant."""
        return self.clock.now()

    async def after_change(self) -> None:
        """Let the scheduler write what a change calls for (alerts, outcomes), then send it."""
        await self.reconcile(self.now())
        await self.sender.drain()

    async def tick(self) -> None:
        """Run one scheduler pass and send what it wrote (tests and the sandbox call this)."""
        await self.after_change()

    def stop_scheduler(self) -> None:
        """Stop the scheduler service, so nothing is sent once the bot stops."""
        if self.scheduler is not None:
            self.scheduler.shutdown()
            self.scheduler = None

    async def close(self) -> None:
        """Stop the scheduler (if still running), then close the database."""
        self.stop_scheduler()
        await self.db.close()


async def open_services(config: BotConfig, clock: Clock, app: DubanApp) -> BotServices:
    """Open the ledger, load unit names and the policy, make the sender, start the scheduler."""
    db = await open_ledger(config.database_url, config.plan_path, clock.now())
    try:
        async with db.session() as session:
            units = UnitResolver(await unit_names(session))
        sender = OutboxSender(TelegramChannel(app.bot), db, clock, config.tz)

        async def send_what_was_written(_: ReconcileResult) -> None:
            await sender.drain()

        scheduling = set_up(db, clock, config, send_what_was_written)
    except BaseException:
        await db.close()
        raise
    return BotServices(
        db, clock, config.tz, units, sender, scheduling.reconcile, scheduling.service
    )
