"""The ledger held in memory between answers: a simulation reads it once, then plays the days.

Only answers change the ledger in a simulation. So after each answer (and at the start) the
engine reads everything a reconcile pass decides from (`LedgerCopy.read`), and on the days
until the next answer runs the same pass (`scheduler.reconcile.plan_pass`) over this copy:
no database round trip per day. What the copy queues and sends it keeps in step as the
database would (the points queued, the keys held, who was prompted, the settled 【办结审核】
day), and writes back (`flush`) before the next answer is applied, so the database sees
exactly the outbox it would have held.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from reports.digest import digest_from_facts
from reports.facts import DigestFacts
from reports.model import Digest
from reports.source import read_digest_facts
from scheduler.ledger_pass import DatabaseSource
from scheduler.pass_source import REVIEWED_DAY, PassScope, PromptFacts, SentKey
from scheduler.reconcile import pass_scope, plan_pass
from scheduler.settings import PolicySettings
from scheduler.workdays import WorkCalendar
from storage import bindings, outbox, service_state, signoffs
from storage.database import Database
from storage.plans import unit_ids
from storage.records import BindingRecord, LastEntry, OutboxDraft, ReviewItem
from storage.schedule_queries import keys_since, mark_sent_by_key, plan_year, unsent

# Keys older than this cannot come up again (a digest's week, a prompt's day).
_KEYS_BACK = timedelta(days=14)


@dataclass(slots=True)
class _Queued:
    """A message in the copy's outbox: when it was queued and, once delivered, when."""

    draft: OutboxDraft
    created_at: datetime
    # Read from the database (it holds the row already) or queued by the copy.
    stored: bool
    sent_at: datetime | None = None


@dataclass(slots=True)
class LedgerCopy:
    """Everything a pass reads, as of the last answer, and what passes queued since."""

    settings: PolicySettings
    calendar: WorkCalendar
    year: int | None
    first_started: datetime
    bound: list[BindingRecord]
    prompts: PromptFacts
    sent: dict[SentKey, date]
    # The latest entry of each pair (answers change it, and the copy is read again then).
    last: Mapping[tuple[int, int], LastEntry]
    reviews: list[ReviewItem]
    reviewed_day: str | None
    digest: DigestFacts
    held: set[str]
    unit_ids: dict[str, int]
    queue: list[_Queued] = field(default_factory=list)
    # What the queue holds that is not sent yet (each pass delivers from these only).
    waiting: list[_Queued] = field(default_factory=list)

    @classmethod
    async def read(
        cls, db: Database, now: datetime, settings: PolicySettings, calendar: WorkCalendar
    ) -> LedgerCopy:
        """Read the copy as of now (after a pass on the database, which records the first
        start)."""
        rules = settings.status_rules(calendar)
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
                await signoffs.reviews(session, now, milestones=milestones)
                if settings.signoff
                else []
            )
            copy = cls(
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
                digest=await read_digest_facts(
                    session, now, rules=rules, tz=settings.timezone, milestones=milestones
                ),
                held=await keys_since(session, now - _KEYS_BACK),
                unit_ids=await unit_ids(session),
            )
            copy.queue = [_Queued(d, now, stored=True) for d in await unsent(session)]
            copy.waiting = list(copy.queue)
        return copy

    async def run_pass(self, now: datetime) -> list[tuple[datetime, OutboxDraft]]:
        """Run one pass at now over the copy; return what is delivered now, in order."""
        if self.year is not None:
            scope = pass_scope(now, self.first_started, self.year, self.settings, self.calendar)
            self._enqueue(await plan_pass(scope, _CopySource(self), self.bound), now)
        return self._deliver(now)

    def _enqueue(self, drafts: Iterable[OutboxDraft], now: datetime) -> None:
        for draft in drafts:
            if draft.dedupe_key in self.held:
                continue
            self.held.add(draft.dedupe_key)
            queued = _Queued(draft, now, stored=False)
            self.queue.append(queued)
            self.waiting.append(queued)
            if draft.kind in ("prompt", "escalation"):
                for item in draft.items:
                    if item.point_date is None:
                        continue
                    key = (item.task_row, self.unit_ids[item.unit], item.milestone_id, draft.kind)
                    if key not in self.sent or self.sent[key] < item.point_date:
                        self.sent[key] = item.point_date

    def _deliver(self, now: datetime) -> list[tuple[datetime, OutboxDraft]]:
        due = [q for q in self.waiting if q.draft.not_before <= now]
        if not due:
            return []
        self.waiting = [q for q in self.waiting if q.draft.not_before > now]
        # The sender's order: by not_before, then as queued (stored rows came first).
        due.sort(key=lambda q: q.draft.not_before)
        for queued in due:
            queued.sent_at = now
            if queued.draft.kind == "prompt":
                for item in queued.draft.items:
                    if item.point_date is not None:
                        pair = (item.task_row, self.unit_ids[item.unit])
                        self.digest.status.prompted(pair, item.point_date)
        return [(now, q.draft) for q in due]

    async def flush(self, db: Database) -> None:
        """Write what the copy queued and sent back to the database."""
        if not self.queue and self.reviewed_day is None:
            return
        async with db.session() as session:
            by_created: dict[datetime, list[OutboxDraft]] = {}
            for queued in self.queue:
                if not queued.stored:
                    by_created.setdefault(queued.created_at, []).append(queued.draft)
            for created_at, drafts in by_created.items():
                await outbox.enqueue_many(session, drafts, created_at)
            by_sent: dict[datetime, list[str]] = {}
            for queued in self.queue:
                if queued.sent_at is not None:
                    by_sent.setdefault(queued.sent_at, []).append(queued.draft.dedupe_key)
            for sent_at, keys in by_sent.items():
                await mark_sent_by_key(session, keys, sent_at)
            if self.reviewed_day is not None:
                await service_state.set_value(session, REVIEWED_DAY, self.reviewed_day)
        self.queue = []
        self.waiting = []


class _CopySource:
    """The pass's facts, from the copy (`scheduler.pass_source.PassSource`)."""

    def __init__(self, copy: LedgerCopy) -> None:
        self.copy = copy

    async def events(
        self, scope: PassScope, chats: Mapping[str, Sequence[int]]
    ) -> list[OutboxDraft]:
        """Return nothing: alerts and extension messages come of answers, and a pass after an
        answer runs on the database."""
        return []

    async def prompt_facts(self, scope: PassScope) -> PromptFacts:
        """Return the copy's milestones and pauses, and the points queued."""
        return self.copy.prompts

    async def last_entries(
        self, scope: PassScope, pairs: Collection[tuple[int, int]]
    ) -> Mapping[tuple[int, int], LastEntry]:
        """Return the copy's latest entries."""
        return self.copy.last

    async def reviews(self, scope: PassScope, send_at: datetime) -> Sequence[ReviewItem]:
        """Return what waits for sign-off, once a day, as the database source does."""
        today = scope.today.isoformat()
        if self.copy.reviewed_day == today:
            return []
        self.copy.reviewed_day = today
        return [r for r in self.copy.reviews if r.first_at <= send_at]

    async def held(self, keys: Iterable[str]) -> set[str]:
        """Return which of the keys the copy's outbox holds."""
        return {k for k in keys if k in self.copy.held}

    async def digest(self, scope: PassScope) -> Digest:
        """Return the digest as of the pass, from the facts read at the answer."""
        rules = scope.settings.status_rules(scope.calendar)
        return digest_from_facts(
            self.copy.digest, scope.now, rules=rules, tz=scope.settings.timezone
        )
