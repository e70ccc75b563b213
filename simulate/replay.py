"""The ledger held in memory between answers: a simulation reads it once, then plays the days.

Only answers change the ledger in a simulation. So at the start, and after each answer, the
engine takes everything a reconcile pass decides from, and on the days until the next answer
runs the same pass (`scheduler.reconcile.plan_pass`) over this copy: no database round trip
per day. Without a database and answers the copy is the plan's fresh ledger
(`LedgerCopy.of_plan`), and no database is ever opened; on a database it is read after each
pass there (`simulate.on_database.read_copy`). What the copy queues and sends it keeps in
step as the database would (the points queued, the keys held, who was prompted, the settled
【办结审核】 day), and a database gets it written back (`simulate.on_database.flush_copy`)
before the next answer is applied, so it holds exactly the outbox it would have held.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from plan_data.model import Plan
from reports.digest import digest_from_facts
from reports.facts import DigestFacts
from reports.model import Digest
from scheduler.pass_source import PassScope, PromptFacts, SentKey
from scheduler.reconcile import pass_scope, plan_pass
from scheduler.settings import PolicySettings
from scheduler.workdays import WorkCalendar
from storage.fresh_ledger import fresh_ledger
from storage.records import BindingRecord, LastEntry, OutboxDraft, ReviewItem


@dataclass(slots=True)
class Queued:
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
    queue: list[Queued] = field(default_factory=list)
    # What the queue holds that is not sent yet (each pass delivers from these only).
    waiting: list[Queued] = field(default_factory=list)

    @classmethod
    def of_plan(
        cls,
        plan: Plan,
        now: datetime,
        bound: list[BindingRecord],
        settings: PolicySettings,
        calendar: WorkCalendar,
    ) -> LedgerCopy:
        """Return the copy for a first pass at now of the ledger a plan's import leaves, with
        these chats bound, without a database: the facts of `storage.fresh_ledger`; nothing
        queued or held yet, no latest entry, nothing waiting for sign-off, no pending
        extension, no pause and no 【办结审核】 settled (a fresh ledger has none)."""
        fresh = fresh_ledger(plan, signoff=settings.signoff)
        sent: dict[SentKey, date] = {}
        return cls(
            settings=settings,
            calendar=calendar,
            year=fresh.year,
            first_started=now,
            bound=bound,
            prompts=PromptFacts.of(fresh.milestones, {}, sent),
            sent=sent,
            last={},
            reviews=[],
            reviewed_day=None,
            digest=DigestFacts(fresh.status, (), fresh.units),
            held=set(),
            unit_ids=fresh.unit_ids,
        )

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
            queued = Queued(draft, now, stored=False)
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
