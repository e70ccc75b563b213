"""`duban simulate`: run the real reconcile on a frozen clock, day by day, with no network.

Without `--db` and answers nothing but the passes themselves changes the plan's fresh ledger,
so the year is played on it in memory (`LedgerCopy.of_plan`) and no database is opened, nor
SQLAlchemy imported. With a database or answers, each answer is applied through the core and
the pass after it runs on the database (`simulate.on_database`); the days between are played
in memory the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from plan_data import load_plan
from plan_data.model import Plan
from scheduler.payload import OutboxPayload, PayloadItem
from scheduler.policy import MilestoneWindow, digest_days, prompt_points
from scheduler.settings import PolicySettings
from scheduler.workdays import WorkCalendar
from simulate.replay import LedgerCopy
from storage.records import BindingRecord, OutboxDraft
from vocabulary import LEADERSHIP

if TYPE_CHECKING:
    from simulate.answers import Answer

# Pseudo chats: a channel of their own that no sender serves.
CHANNEL = "simulate"
TITLE = "simulate"
# Answers arrive at noon: after the morning prompt that asked for them. A pause or resume
# takes effect at the start of its day, before that day's prompts.
ANSWER_TIME = time(12, 0)
START_OF_DAY = time(0, 0)


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


class Ledger(Protocol):
    """Where a simulation keeps the ledger: passes that follow an answer (and the first) run
    there; the days between are played on the copy it returns."""

    async def refresh(
        self, copy: LedgerCopy | None, now: datetime, applied: Sequence[Answer]
    ) -> tuple[LedgerCopy, list[SimulatedMessage]]:
        """Apply the answers at now and run now's pass; return the copy to play on until the
        next answer, and what the pass delivered."""
        ...


async def simulate(
    plan_path: Path,
    first: date,
    last: date,
    settings: PolicySettings,
    answers: Sequence[Answer] = (),
    db_url: str | None = None,
) -> list[SimulatedMessage]:
    """Return every message pushed from `first` to `last`: on the plan's fresh ledger in
    memory when no database and no answers are given, else on a database (a throwaway one
    unless `db_url` is given)."""
    if db_url is None and not answers:
        calendar = settings.calendar()
        ledger = PlanLedger(load_plan(plan_path), first, settings, calendar)
        return await play(ledger, first, last, settings, calendar)
    # Imported here: the database (and SQLAlchemy) come in only on this path.
    from simulate.on_database import simulate_on_database

    return await simulate_on_database(plan_path, first, last, settings, answers, db_url)


async def play(
    ledger: Ledger,
    first: date,
    last: date,
    settings: PolicySettings,
    calendar: WorkCalendar,
    answers: Sequence[Answer] = (),
    *,
    every_workday: bool = False,
) -> list[SimulatedMessage]:
    """Play the days from `first` to `last`: the passes of each workday that may send
    something (every workday, with `every_workday`), and the answers at their instants."""
    tz = settings.timezone
    pushed: list[SimulatedMessage] = []
    by_day: dict[date, list[Answer]] = {}
    for answer in answers:
        by_day.setdefault(answer.day, []).append(answer)
    span = (first, last)
    # The ledger in memory: taken at the first pass and after each answer, played between
    # them (simulate.replay).
    copy: LedgerCopy | None = None
    due: set[date] = set()
    # The first workday after an answer picks up what it changed (an extension's earlier
    # points): never skip it.
    wake = True
    day = first
    while day <= last:
        todays = by_day.get(day, [])
        at_times = {
            at: [a for a in todays if (a.at_start_of_day == (at == START_OF_DAY))]
            for at in (START_OF_DAY, ANSWER_TIME)
        }
        instants = {at for at, applied in at_times.items() if applied}
        if calendar.is_workday(day) and (every_workday or wake or day in due or instants):
            instants |= {settings.send_time, settings.digest_time}
            wake = False
        for at in sorted(instants):
            now = datetime.combine(day, at, tzinfo=tz)
            applied = at_times.get(at, [])
            if copy is not None and not applied:
                pushed += [_message(at_, d) for at_, d in await copy.run_pass(now)]
                continue
            copy, delivered = await ledger.refresh(copy, now, applied)
            pushed += delivered
            due = _due_days(copy, span, settings, calendar)
            wake = wake or bool(applied)
        day += timedelta(days=1)
    return pushed


class PlanLedger:
    """The plan's fresh ledger, in memory only: no answer ever changes it, so the first pass
    is the only one it takes a copy for."""

    def __init__(
        self, plan: Plan, first: date, settings: PolicySettings, calendar: WorkCalendar
    ) -> None:
        self.plan = plan
        self.settings = settings
        self.calendar = calendar
        # Every unit and the leadership get a pseudo chat at the start, as on a database.
        bound_at = datetime.combine(first, START_OF_DAY, tzinfo=settings.timezone)
        self.bound = [
            BindingRecord(chat, TITLE, unit, bound_at, CHANNEL, unit or LEADERSHIP)
            for chat, unit in enumerate(pseudo_recipients(plan.units, ()), start=1)
        ]

    async def refresh(
        self, copy: LedgerCopy | None, now: datetime, applied: Sequence[Answer]
    ) -> tuple[LedgerCopy, list[SimulatedMessage]]:
        """Take the fresh ledger's copy for the first pass, at now, and run that pass on it."""
        if copy is not None or applied:
            raise ValueError("a plan's fresh ledger takes no answers and is copied once")
        copy = LedgerCopy.of_plan(self.plan, now, self.bound, self.settings, self.calendar)
        return copy, [_message(at, d) for at, d in await copy.run_pass(now)]


def pseudo_recipients(units: Sequence[str], bound: Iterable[BindingRecord]) -> list[str | None]:
    """Return who gets a pseudo chat: each unit without a chat, in plan order, then the
    leadership (None) if it has none."""
    taken = {b.recipient for b in bound}
    targets: list[str | None] = [u for u in units if u not in taken]
    if LEADERSHIP not in taken:
        targets.append(None)
    return targets


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
