"""The running core: the ledger, the clock, the settings, and what every action shares.

Every door opens one `Core` (`await Core.open(...)`) and passes it to the action functions in
`core.binding`, `core.progress`, `core.extensions`, `core.queries` and `core.conversation`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from core.evidence import MAX_BYTES, EvidenceStore, default_folder
from core.guesses import GuessGuard
from plan_data.units import UnitResolver
from scheduler.clock import Clock
from scheduler.settings import PolicySettings, load_settings
from scheduler.workdays import WorkCalendar
from storage.bootstrap import open_ledger
from storage.database import Database
from storage.plans import require_plan
from storage.records import BindingRecord, StatusRow
from storage.status import StatusRules
from vocabulary import DEFAULT_TZ

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CoreConfig:
    """Where the ledger is, which plan it follows, the office's time zone and policy file."""

    database_url: str
    plan_path: Path
    tz: ZoneInfo = DEFAULT_TZ
    policy_file: Path | None = None
    # The web board's public address and how long a login link lasts (None: no board links).
    board_url: str | None = None
    board_link_ttl: timedelta = timedelta(hours=24)
    # Where evidence files are kept (DUBAN_EVIDENCE_DIR); None: `evidence/` beside a SQLite
    # ledger file, else in the working directory (core.evidence.default_folder).
    evidence_dir: Path | None = None
    evidence_max_bytes: int = MAX_BYTES

    @property
    def evidence_folder(self) -> Path:
        """Return the folder evidence files are kept in."""
        return self.evidence_dir or default_folder(self.database_url)


class BindingCache:
    """Recent answers to "what is this chat bound to?", so chatter costs no database trip.

    Binding and unbinding go through `core.binding`, which updates the cache; the short
    lifetime covers a change made by another process.
    """

    def __init__(self, ttl: float = 30.0) -> None:
        self._ttl = ttl
        self._known: dict[tuple[str, str], tuple[BindingRecord | None, float]] = {}

    def get(self, key: tuple[str, str]) -> tuple[bool, BindingRecord | None]:
        """Return (known, binding) for a chat (channel, address)."""
        found = self._known.get(key)
        if found is None or found[1] < time.monotonic():
            return False, None
        return True, found[0]

    def put(self, key: tuple[str, str], binding: BindingRecord | None) -> None:
        """Remember a chat's binding (or that it has none)."""
        self._known[key] = (binding, time.monotonic() + self._ttl)


class StatusCache:
    """Status rows recently read, per unit and day; every write through the core clears it.

    Changes made by another process (`duban report` while the bot runs) show once the short
    lifetime ends.
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
class Core:
    """What every action needs: open it once per process, close it at the end."""

    db: Database
    clock: Clock
    tz: ZoneInfo
    policy: PolicySettings
    calendar: WorkCalendar
    units: UnitResolver
    plan_year: int
    board_url: str | None = None
    board_link_ttl: timedelta = timedelta(hours=24)
    evidence: EvidenceStore = field(default_factory=lambda: EvidenceStore(Path("evidence")))
    bindings: BindingCache = field(default_factory=BindingCache)
    statuses: StatusCache = field(default_factory=StatusCache)
    # Wrong invite codes per chat and person (`core.binding`): guessing is slow.
    guesses: GuessGuard = field(default_factory=GuessGuard)
    # Called after a change that calls for messages (an alert, a request, a decision): the
    # running service wakes its scheduler pass and sender. Never blocks.
    _listeners: list[Callable[[], None]] = field(default_factory=list)

    @classmethod
    async def open(
        cls, config: CoreConfig, clock: Clock, policy: PolicySettings | None = None
    ) -> Core:
        """Open (and migrate) the ledger, importing the plan on first use; load the policy
        from the config's policy file unless it is given."""
        policy = policy or load_settings(config.policy_file, config.tz)
        calendar = policy.calendar()
        db = await open_ledger(config.database_url, config.plan_path, clock.now())
        try:
            async with db.session() as session:
                plan = await require_plan(session)
        except BaseException:
            await db.close()
            raise
        return cls(
            db,
            clock,
            config.tz,
            policy,
            calendar,
            UnitResolver(plan.units),
            plan.year,
            config.board_url,
            config.board_link_ttl,
            EvidenceStore(config.evidence_folder, config.evidence_max_bytes),
        )

    async def close(self) -> None:
        """Close the ledger."""
        await self.db.close()

    @property
    def rules(self) -> StatusRules:
        """Return what the lights weigh (the policy's warning window, sign-off, calendar)."""
        return self.policy.status_rules(self.calendar)

    def now(self) -> datetime:
        """Return the clock's current instant."""
        return self.clock.now()

    def today(self) -> date:
        """Return today's date in the office's time zone."""
        return self.now().astimezone(self.tz).date()

    def on_change(self, listener: Callable[[], None]) -> None:
        """Call `listener` after every change that may call for messages."""
        self._listeners.append(listener)

    def changed(self) -> None:
        """Forget cached status rows and tell the listeners that the ledger changed."""
        self.statuses.clear()
        for listener in self._listeners:
            listener()
