"""`duban simulate`: run the real reconcile on a frozen clock, day by day, with no network."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from core.runtime import Core, CoreConfig
from scheduler.clock import FrozenClock
from scheduler.ledger_pass import reconcile
from scheduler.payload import OutboxPayload, PayloadItem
from scheduler.policy import MilestoneWindow, digest_days, prompt_points
from scheduler.settings import PolicySettings
from scheduler.workdays import WorkCalendar
from simulate.answers import Answer, apply_answer
from simulate.replay import LedgerCopy
from storage import bindings, outbox
from storage.chats import chat_key
from storage.database import Database
from storage.plans import unit_names
from storage.records import OutboxDraft
from storage.schedule_queries import mark_all_sent
from vocabulary import LEADERSHIP

# Pseudo chats: a channel of their own that no sender serves.
CHANNEL = "simulate"
# Answers arrive at noon: after the morning prompt that asked for them. A pause or resume
# takes effect at the start of its day, before that day's prompts.
ANSWER_TIME = time(12, 0)
START_OF_DAY = time(0, 0)
CLAIM_BATCH = 500


@dataclass(frozen=True, slots=True)
class SimulatedMessage:
    """One message the scheduler pushed during a simulation."""

    at: datetime
    to: str
    kind: str
    items: tuple[PayloadItem, ...]
    text: str

    def to_json(self) -> dict[str, Any]:
        """Return DESIGN's JSON line for this message."""
        return {
            "at": self.at.isoformat(),
            "to": self.to,
            "kind": self.kind,
            "items": [
                {
                    "task": item.task,
                    "unit": item.unit,
                    "kind": item.kind,
                    "due": item.due.isoformat() if item.due else None,
                    "action": item.action,
                }
                for item in self.items
            ],
            "text": self.text,
        }


async def simulate(
    plan_path: Path,
    first: date,
    last: date,
    settings: PolicySettings,
    answers: Sequence[Answer] = (),
    db_url: str | None = None,
) -> list[SimulatedMessage]:
    """Return every message pushed from `first` to `last`, on a throwaway database by default."""
    if db_url is not None:
        # A given database may hold state of its own (an earlier start, queued rows): play
        # every workday, and write the simulated outbox back to it.
        return await _run(db_url, plan_path, first, last, settings, answers, given_db=True)
    with tempfile.TemporaryDirectory(prefix="duban-simulate-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'simulate.db'}"
        return await _run(url, plan_path, first, last, settings, answers, given_db=False)


async def _run(
    url: str,
    plan_path: Path,
    first: date,
    last: date,
    settings: PolicySettings,
    answers: Sequence[Answer],
    given_db: bool,
) -> list[SimulatedMessage]:
    tz = settings.timezone
    clock = FrozenClock(datetime.combine(first, time(0, 0), tzinfo=tz))
    calendar = settings.calendar()
    core = await Core.open(CoreConfig(url, plan_path, tz), clock, settings)
    db = core.db
    try:
        await bind_pseudo_chats(db, clock.now())
        pushed: list[SimulatedMessage] = []
        by_day: dict[date, list[Answer]] = {}
        for answer in answers:
            by_day.setdefault(answer.day, []).append(answer)
        span = (first, last)
        # The ledger in memory: read after the first pass and after each answer, played
        # between them (simulate.replay).
        copy: LedgerCopy | None = None
        due: set[date] = set()
        # The first workday after an answer picks up what it changed (an extension's
        # earlier points): never skip it.
        wake = True
        day = first
        while day <= last:
            todays = by_day.get(day, [])
            at_times = {
                at: [a for a in todays if (a.at_start_of_day == (at == START_OF_DAY))]
                for at in (START_OF_DAY, ANSWER_TIME)
            }
            instants = {at for at, applied in at_times.items() if applied}
            if calendar.is_workday(day) and (given_db or wake or day in due or instants):
                instants |= {settings.send_time, settings.digest_time}
                wake = False
            for at in sorted(instants):
                clock.set(datetime.combine(day, at, tzinfo=tz))
                applied = at_times.get(at, [])
                if copy is not None and not applied:
                    pushed += [_message(at_, d) for at_, d in await copy.run_pass(clock.now())]
                    continue
                # The first pass records the service's first start; an answer changes the
                # ledger: both run on the database, then the copy is read again.
                if copy is not None:
                    await copy.flush(db)
                for answer in applied:
                    await apply_answer(core, answer)
                await reconcile(db, clock.now(), settings, calendar)
                pushed += await deliver(db, clock.now())
                copy = await LedgerCopy.read(db, clock.now(), settings, calendar)
                due = _due_days(copy, span, settings, calendar)
                wake = wake or bool(applied)
            day += timedelta(days=1)
        if copy is not None and given_db:
            await copy.flush(db)
        return pushed
    finally:
        await core.close()


def _due_days(
    copy: LedgerCopy,
    span: tuple[date, date],
    settings: PolicySettings,
    calendar: WorkCalendar,
) -> set[date]:
    """Return the days on which, with the ledger as the copy holds it, a prompt, a digest or
    a 【办结审核】 can be due.

    Only answers change the ledger in a simulation, so on any other workday a pass would find
    every milestone's latest point already queued and write nothing: skipping it changes no
    output, and the same pass still decides what is sent on the days it runs.
    """
    first, last = span
    days = set(digest_days(calendar, settings, first, last))
    if any(m.state == "awaiting" for m in copy.prompts.milestones):
        # While a 已完成 waits for sign-off, every workday brings a 【办结审核】.
        span_days = (first + timedelta(days=n) for n in range((last - first).days + 1))
        days.update(d for d in span_days if calendar.is_workday(d))
    for kind, start, end, interval, held in copy.prompts.windows:
        window = MilestoneWindow(kind, start, end, interval)
        days.update(p.day for p in prompt_points(window, calendar, settings, first, last, held))
    return days


def _message(at: datetime, draft: OutboxDraft) -> SimulatedMessage:
    payload = OutboxPayload.from_json(draft.payload)
    return SimulatedMessage(at, draft.recipient, draft.kind, payload.items, payload.text)


async def bind_pseudo_chats(db: Database, now: datetime) -> None:
    """Bind a pseudo chat to every unit (and the leadership) that has no chat yet."""
    async with db.session() as session:
        bound = {b.recipient for b in await bindings.all_bindings(session)}
        targets: list[str | None] = [u for u in await unit_names(session) if u not in bound]
        if LEADERSHIP not in bound:
            targets.append(None)
        for unit in targets:
            address = unit or LEADERSHIP
            key = await chat_key(session, CHANNEL, address, now, title="simulate")
            await bindings.bind(session, key, unit, now, title="simulate")


async def deliver(db: Database, now: datetime) -> list[SimulatedMessage]:
    """Claim what is due, as the sender would, and mark it sent."""
    delivered = []
    async with db.session() as session:
        while True:
            batch = await outbox.claim_due(session, now, limit=CLAIM_BATCH)
            for message in batch:
                payload = OutboxPayload.from_json(message.payload)
                delivered.append(
                    SimulatedMessage(
                        now, message.recipient, message.kind, payload.items, payload.text
                    )
                )
            await mark_all_sent(session, (m.id for m in batch), now)
            if len(batch) < CLAIM_BATCH:
                return delivered
