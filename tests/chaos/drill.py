"""A chaos drill: the real `duban run` over weeks of the 2022 plan, against the emulator, while
it is killed, its API fails, its database goes away, it runs twice, and strangers poke at it.

Every workday of the drill the service starts at 08:59:58 on the drill clock; the 09:00
prompts go out; the people in the unit chats answer them; faults strike; and the day ends when
the outbox is empty. Afterwards the drill counts, against what the pure policy says:

- prompts (and the leadership's escalations, digests and alerts) expected, delivered,
  duplicated and lost;
- entries recorded in the ledger against confirmations the people saw;
- bytes of anything but the fixed how-to-bind replies sent to strangers;
- kills, and the kills that landed between a channel's accept and its bookkeeping (the only
  way a message may go twice), with the window's length measured by the sender itself.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

from emulator.model import User
from emulator.server import Emulator
from plan_data import default_plan_path
from scheduler.settings import load_settings
from storage.bootstrap import open_ledger
from storage.invites import create_invite
from tests.chaos.expected import MilestoneKey, expected_messages
from tests.chaos.faults import Cluster, DatabaseFaults, lock_sqlite, terminate_connections
from tests.chaos.figures import Counting, Figures, local_day
from tests.chaos.fuzz import Strangers, buttons_by_chat
from tests.chaos.people import Person, Tally, prompt_keyboard
from tests.chaos.services import Ledger, Services, environment
from vocabulary import DEFAULT_TZ, cn_date

UNITS = ("社救科", "社区科", "社会事务科", "救助管理站", "殡葬科", "婚姻科", "综合办")
# After a kill the service comes back this much later on the drill clock: the dead process's
# claims (60 s) have run out, as they would have after a real restart.
RESTART_GAP = timedelta(seconds=61)
# How long a person waits for an answer before trying again (a restart takes about 2 s).
PATIENCE = 6.0


@dataclass(frozen=True)
class Phase:
    """A stretch of the drill and the faults that strike in it."""

    name: str
    days: int
    kills: int = 0  # per day, at random moments
    api_chaos: float = 0.0  # share of sending calls that fail
    hang: float = 2.0  # seconds a hanging call hangs (below the client's 10 s timeout)
    db_faults: float = 0.0  # seconds of terminated connections (PostgreSQL) or a lock-out
    replicas: int = 1
    slow_sends: float = 0.0  # seconds added to every sendMessage
    strangers: int = 0  # fuzzed updates over the phase


@dataclass
class UnitChat:
    """A unit's group chat and the person who answers there."""

    chat_id: int
    unit: str | None
    user: User
    person: Person | None = None


class Drill(Counting):
    """Runs one drill on one database."""

    def __init__(
        self,
        emu: Emulator,
        database_url: str,
        workdir: Path,
        first: date,
        phases: list[Phase],
        seed: int,
        cluster: Cluster | None = None,
        chats_per_unit: int = 2,
    ) -> None:
        self.emu = emu
        self.url = database_url
        self.workdir = workdir
        self.first = first
        self.phases = phases
        self.rng = random.Random(seed)
        self.cluster = cluster
        self.chats_per_unit = chats_per_unit
        self.units = UNITS
        self.settings = load_settings(None, DEFAULT_TZ)
        self.calendar = self.settings.calendar()
        self.services = Services(environment(emu.token, emu.base_url, database_url), workdir)
        self.ledger = Ledger(database_url)
        self.tally = Tally()
        self.chats: list[UnitChat] = []
        self.lead: UnitChat | None = None
        self.strangers = Strangers(emu, self.rng)
        self.db_faults = DatabaseFaults()
        self.days: list[date] = []
        self.timings: list[tuple[date, str, float]] = []
        self.event_times: list[float] = []
        self.chaos_calls = 0
        self.chaos_faults: Counter[str] = Counter()
        self._stamp_events()

    def _stamp_events(self) -> None:
        """Note the real time of every emulator event (a kill is compared against them)."""
        state = self.emu.state
        record = state.record_event

        def stamped(kind: str, chat_id: int | None, **data: Any) -> None:
            record(kind, chat_id, **data)
            self.event_times.append(time.monotonic())

        state.record_event = stamped  # type: ignore[method-assign]

    # --- the drill ------------------------------------------------------------------------

    async def run(self) -> Figures:
        """Set up, play every phase day by day, and count."""
        try:
            await self._bind_everyone()
            day = self.first
            for phase in self.phases:
                for _ in range(phase.days):
                    while not self.calendar.is_workday(day):
                        day += timedelta(days=1)
                    began = time.monotonic()
                    await self._day(day, phase)
                    self.days.append(day)
                    self.timings.append((day, phase.name, time.monotonic() - began))
                    day += timedelta(days=1)
            return await self._count()
        finally:
            await self.services.stop()
            await self.ledger.close()

    async def _bind_everyone(self) -> None:
        """Make the unit and leadership chats and bind them with /bind before day one."""
        at = datetime.combine(self.first, clock_time(8, 50), tzinfo=DEFAULT_TZ)
        db = await open_ledger(self.url, default_plan_path(), at)
        wanted: list[str | None] = [u for u in UNITS for _ in range(self.chats_per_unit)]
        wanted.append(None)
        try:
            async with db.session() as session:
                codes = [(await create_invite(session, u, at)).code for u in wanted]
        finally:
            await db.close()
        await self.services.start(at)
        waits = []
        for number, (unit, code) in enumerate(zip(wanted, codes, strict=True)):
            user = self.emu.add_user(f"科长{number}", f"head{number}")
            group = self.emu.add_group(f"{unit or '局领导'}工作群{number}")
            sent = self.emu.send(group.id, user, f"/bind {code}")
            waits.append(
                self.emu.wait_for_bot_message(
                    group.id, lambda m: "已绑定" in str(m.get("text")),
                    after=sent["message_id"], timeout=30,
                )
            )  # fmt: skip
            chat = UnitChat(group.id, unit, user)
            if unit is None:
                self.lead = chat
                continue
            chat.person = Person(
                self.emu, group.id, user, random.Random(self.rng.random()), self.tally, PATIENCE
            )
            self.chats.append(chat)
        await asyncio.gather(*waits)
        await self.services.stop()

    async def _day(self, day: date, phase: Phase) -> None:
        """Play one workday under a phase's faults."""
        done = await self._done_on()
        today = expected_messages(self.settings, day, day, UNITS, done).prompts
        self._faults_on(phase)
        # The service is up about two seconds later: 09:00, when the prompts go.
        start = datetime.combine(day, clock_time(8, 59, 58), tzinfo=DEFAULT_TZ)
        await self.services.start(start, phase.replicas)
        mark = len(self.emu.state.events)
        answering = [
            self._answer_prompt(chat, day, mark)
            for chat in self.chats
            if chat.unit is not None and (chat.unit, day) in today
        ]
        extra = []
        if phase.kills:
            extra.append(self._kill_at_random(phase))
        if phase.db_faults:
            extra.append(self._database_faults(phase))
        if phase.strangers:
            extra.append(self._strangers(phase.strangers // max(phase.days, 1)))
        await asyncio.gather(*answering, *extra)
        self._note_chaos()
        self.emu.calm()
        await self._settled()
        await self.services.stop()
        # Only now: while replicas poll, a single poller's rules would end one with 409.
        self.emu.state.shared_polling = False

    def _note_chaos(self) -> None:
        chaos = self.emu.state.chaos
        if chaos is not None:
            self.chaos_calls += chaos.calls
            self.chaos_faults += chaos.faults

    def _faults_on(self, phase: Phase) -> None:
        self.emu.calm()
        if phase.api_chaos:
            self.emu.chaos(
                phase.api_chaos,
                ("429", "500", "hang", "hang_after"),
                seed=self.rng.randrange(10**6),
                hang=phase.hang,
            )
        if phase.slow_sends:
            self.emu.slow(phase.slow_sends, "sendMessage")
        self.emu.state.shared_polling = phase.replicas > 1

    async def _answer_prompt(self, chat: UnitChat, day: date, mark: int) -> None:
        """Wait for the day's prompt in a chat, then let its person answer it."""
        header = f"【督办提醒】{chat.unit} · {cn_date(day, weekday=True)}"
        found = await self.emu.state.wait_for(
            lambda: prompt_keyboard(self.emu.state.events, chat.chat_id, header, mark), 180
        )
        if found is None or chat.person is None:
            return  # counted as lost afterwards
        await asyncio.sleep(chat.person.rng.uniform(0, 1.5))
        await chat.person.answer(found[1])

    async def _kill_at_random(self, phase: Phase) -> None:
        """kill -9 the service at random moments of the morning, and bring it back."""
        for _ in range(phase.kills):
            await asyncio.sleep(self.rng.uniform(0.2, 4.0))
            await self.services.kill()
            await self.services.start(self.services.now() + RESTART_GAP, phase.replicas)

    async def _database_faults(self, phase: Phase) -> None:
        await asyncio.sleep(0.5)
        if self.cluster is not None:
            name = self.url.rsplit("/", 1)[1]
            await terminate_connections(self.cluster, name, phase.db_faults, 0.05, self.db_faults)
        else:
            path = Path(self.url.removeprefix("sqlite:///"))
            await lock_sqlite(path, phase.db_faults, self.db_faults)

    async def _strangers(self, count: int) -> None:
        everyone = [*self.chats, *([self.lead] if self.lead else [])]
        bound = {c.chat_id: (c.user, c.unit or "") for c in everyone}
        for _ in range(count):
            buttons = buttons_by_chat(self.emu.state.events)
            self.strangers.send_one(buttons, bound)
            await asyncio.sleep(self.rng.uniform(0, 0.01))

    async def _settled(self) -> None:
        """Wait until nothing is left to send (alerts after the answers, retried rows)."""
        for _ in range(600):
            left = await self.ledger.scalar(
                "SELECT count(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL"
            )
            if not left:
                return
            await asyncio.sleep(0.25)
        raise AssertionError(f"{left} outbox rows still unsent at the end of the day")

    async def _done_on(self) -> dict[MilestoneKey, date]:
        """Return the day each milestone was first reported done, from the ledger."""
        rows = await self.ledger.rows(
            "SELECT t.task_id, u.name, m.position, e.created_at FROM progress_entries e"
            " JOIN tasks t ON t.id = e.task_id JOIN units u ON u.id = e.unit_id"
            " JOIN milestones m ON m.id = e.milestone_id WHERE e.status = 'done'"
        )
        done: dict[MilestoneKey, date] = {}
        for task, unit, position, created in rows:
            day = local_day(created)
            key = (task, unit, position)
            done[key] = min(done.get(key, day), day)
        return done
