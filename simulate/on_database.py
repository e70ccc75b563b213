"""A simulation on a database: a given one (`--db`), or a throwaway one when answers change the
ledger. Each answer is applied through the core, as the bot would; the first pass and each
pass after an answer run on the database, and the copy the days between are played on is read
from it (`read_copy`) and written back before the next answer (`flush_copy`).
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

from core.runtime import Core, CoreConfig
from scheduler.clock import FrozenClock
from scheduler.ledger_pass import DatabaseSource, reconcile
from scheduler.pass_source import REVIEWED_DAY
from scheduler.payload import OutboxPayload
from scheduler.reconcile import pass_scope
from scheduler.settings import PolicySettings
from scheduler.workdays import WorkCalendar
from simulate.answers import Answer, apply_answer
from simulate.engine import (
    CHANNEL,
    START_OF_DAY,
    TITLE,
    SimulatedMessage,
    play,
    pseudo_recipients,
)
from simulate.replay import LedgerCopy, Queued
from storage import bindings, outbox, service_state, signoffs
from storage.chats import chat_key
from storage.database import Database
from storage.plans import plan_year, unit_ids, unit_names
from storage.records import OutboxDraft
from storage.schedule_queries import (
    keys_since,
    mark_all_sent,
    mark_sent_by_key,
    unsent,
)
from vocabulary import LEADERSHIP

CLAIM_BATCH = 500
# Keys older than this cannot come up again (a digest's week, a prompt's day).
_KEYS_BACK = timedelta(days=14)


async def simulate_on_database(
    plan_path: Path,
    first: date,
    last: date,
    settings: PolicySettings,
    answers: Sequence[Answer],
    db_url: str | None,
) -> list[SimulatedMessage]:
    """Return every message pushed from `first` to `last` on the database (a throwaway one
    unless `db_url` is given)."""
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
    clock = FrozenClock(datetime.combine(first, START_OF_DAY, tzinfo=settings.timezone))
    calendar = settings.calendar()
    core = await Core.open(CoreConfig(url, plan_path, settings.timezone), clock, settings)
    try:
        await bind_pseudo_chats(core.db, clock.now())
        ledger = DatabaseLedger(core, clock, calendar)
        pushed = await play(
            ledger, first, last, settings, calendar, answers, every_workday=given_db
        )
        if ledger.copy is not None and given_db:
            await flush_copy(ledger.copy, core.db)
        return pushed
    finally:
        await core.close()


class DatabaseLedger:
    """The ledger on a database, opened by the core the answers are applied through."""

    def __init__(self, core: Core, clock: FrozenClock, calendar: WorkCalendar) -> None:
        self.core = core
        self.clock = clock
        # The simulation's calendar (the core has its own, for the answers' actions).
        self.calendar = calendar
        self.copy: LedgerCopy | None = None

    async def refresh(
        self, copy: LedgerCopy | None, now: datetime, applied: Sequence[Answer]
    ) -> tuple[LedgerCopy, list[SimulatedMessage]]:
        """Write the copy back, apply the answers through the core, reconcile and deliver on
        the database, and read the copy again (the first pass records the service's first
        start)."""
        core = self.core
        self.clock.set(now)
        if copy is not None:
            await flush_copy(copy, core.db)
        for answer in applied:
            await apply_answer(core, answer)
        await reconcile(core.db, now, core.policy, self.calendar)
        delivered = await deliver(core.db, now)
        self.copy = await read_copy(core.db, now, core.policy, self.calendar)
        return self.copy, delivered


async def bind_pseudo_chats(db: Database, now: datetime) -> None:
    """Bind a pseudo chat to every unit (and the leadership) that has no chat yet."""
    async with db.session() as session:
        found = await bindings.all_bindings(session)
        for unit in pseudo_recipients(await unit_names(session), found):
            address = unit or LEADERSHIP
            key = await chat_key(session, CHANNEL, address, now, title=TITLE)
            await bindings.bind(session, key, unit, now, title=TITLE)


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


async def read_copy(
    db: Database, now: datetime, settings: PolicySettings, calendar: WorkCalendar
) -> LedgerCopy:
    """Read the copy as of now (after a pass on the database, which records the first start)."""
    async with db.session(readonly=True) as session:
        year = await plan_year(session)
        started = await service_state.get_value(session, service_state.FIRST_STARTED_AT)
        first_started = datetime.fromisoformat(started) if started else now
        scope = pass_scope(now, first_started, year or now.year, settings, calendar)
        source = DatabaseSource(session)
        read = await source.prompt_facts(scope)
        # The copy's queued points grow as its passes queue prompts.
        sent = dict(read.sent)
        prompts = replace(read, sent=sent)
        milestones = await source.milestones(scope)
        last = await source.last_entries(scope, {m.pair for m in milestones})
        waiting = (
            await signoffs.reviews(session, now, milestones=milestones) if settings.signoff else []
        )
        copy = LedgerCopy(
            settings=settings,
            calendar=calendar,
            year=year,
            first_started=first_started,
            bound=await bindings.all_bindings(session),
            prompts=prompts,
            sent=sent,
            last=last,
            reviews=waiting,
            reviewed_day=await service_state.get_value(session, REVIEWED_DAY),
            digest=await source.digest_facts(scope),
            held=await keys_since(session, now - _KEYS_BACK),
            unit_ids=await unit_ids(session),
        )
        copy.queue = [Queued(d, now, stored=True) for d in await unsent(session)]
        copy.waiting = list(copy.queue)
    return copy


async def flush_copy(copy: LedgerCopy, db: Database) -> None:
    """Write what the copy queued and sent back to the database."""
    if not copy.queue and copy.reviewed_day is None:
        return
    async with db.session() as session:
        by_created: dict[datetime, list[OutboxDraft]] = {}
        for queued in copy.queue:
            if not queued.stored:
                by_created.setdefault(queued.created_at, []).append(queued.draft)
        for created_at, drafts in by_created.items():
            await outbox.enqueue_many(session, drafts, created_at)
        by_sent: dict[datetime, list[str]] = {}
        for queued in copy.queue:
            if queued.sent_at is not None:
                by_sent.setdefault(queued.sent_at, []).append(queued.draft.dedupe_key)
        for sent_at, keys in by_sent.items():
            await mark_sent_by_key(session, keys, sent_at)
        if copy.reviewed_day is not None:
            await service_state.set_value(session, REVIEWED_DAY, copy.reviewed_day)
    copy.queue = []
    copy.waiting = []
