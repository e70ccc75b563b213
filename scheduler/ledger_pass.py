"""A reconcile pass on the ledger: the facts read in one session, the pass's drafts written
to the outbox under their dedupe keys, under the reconcile lock (the rules of the pass are
`scheduler.reconcile.plan_pass`; its facts, `scheduler.pass_source`).

The database is the source of truth: a second run, a late run or a run after a crash writes
nothing twice.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from reports.digest import digest_from_facts
from reports.facts import DigestFacts
from reports.model import Digest
from reports.source import read_digest_facts
from scheduler.events import event_drafts
from scheduler.heap import PASS_PAUSE_LIMIT_S, collector_paused
from scheduler.pass_source import REVIEWED_DAY, PassScope, PromptFacts
from scheduler.reconcile import pass_scope, plan_pass
from scheduler.settings import PolicySettings
from scheduler.workdays import WorkCalendar
from storage import bindings, outbox, pause_queries, service_state, signoffs
from storage.database import Database
from storage.locks import reconcile_lock
from storage.plans import plan_year, task_labels
from storage.records import LastEntry, OutboxDraft, ReviewItem
from storage.schedule_queries import (
    ScheduleMilestone,
    existing_keys,
    last_entries,
    latest_points,
    schedule_milestones,
)


@dataclass(frozen=True, slots=True)
class ReconcileResult:
    """What one run did: whether it held the lock, and the dedupe keys it wrote."""

    ran: bool
    written: tuple[str, ...] = field(default=())


async def reconcile(
    db: Database, now: datetime, settings: PolicySettings, calendar: WorkCalendar
) -> ReconcileResult:
    """Write every message due at `now` that the outbox does not hold yet."""
    # A busy pass allocates much and keeps little (scheduler.heap).
    with collector_paused(at_most=PASS_PAUSE_LIMIT_S):
        return await _reconcile(db, now, settings, calendar)


async def _reconcile(
    db: Database, now: datetime, settings: PolicySettings, calendar: WorkCalendar
) -> ReconcileResult:
    async with reconcile_lock(db) as held:
        if not held:
            return ReconcileResult(ran=False)
        async with db.session() as session:
            year = await plan_year(session)
            if year is None:
                return ReconcileResult(ran=True)
            first = await _first_started(session, now)
            scope = pass_scope(now, first, year, settings, calendar)
            bound = await bindings.all_bindings(session)
            drafts = await plan_pass(scope, DatabaseSource(session), bound)
            written = await outbox.enqueue_many(session, drafts, now)
    return ReconcileResult(ran=True, written=tuple(written))


async def _first_started(session: AsyncSession, now: datetime) -> datetime:
    """Return when the service first started (recorded on the very first run)."""
    stored = await service_state.get_value(session, service_state.FIRST_STARTED_AT)
    if stored is not None:
        return datetime.fromisoformat(stored)
    return await service_state.first_started_at(session, now)


class DatabaseSource:
    """The facts, read from the ledger in the pass's session."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._milestones: list[ScheduleMilestone] | None = None
        self._labels: dict[int, tuple[str, str, str]] | None = None

    async def labels(self) -> dict[int, tuple[str, str, str]]:
        """Return every current task's id, chapter and title by row, read once a pass (the
        milestones and the digest's pairs both name their tasks)."""
        if self._labels is None:
            self._labels = await task_labels(self.session)
        return self._labels

    async def milestones(self, scope: PassScope) -> list[ScheduleMilestone]:
        """Return every milestone's state as of the pass, read once for the whole pass (the
        prompts, the 【办结审核】 and the digest all read them)."""
        if self._milestones is None:
            self._milestones = await schedule_milestones(
                self.session,
                scope.now,
                signoff=scope.settings.signoff,
                labels=await self.labels(),
            )
        return self._milestones

    async def events(
        self, scope: PassScope, chats: Mapping[str, Sequence[int]]
    ) -> list[OutboxDraft]:
        """Return the alerts and extension messages answers caused, not yet queued."""
        tz = scope.settings.timezone
        return await event_drafts(self.session, scope.now, scope.floor, scope.year, chats, tz)

    async def prompt_facts(self, scope: PassScope) -> PromptFacts:
        """Read the milestones, pauses and queued points (four queries)."""
        session = self.session
        return PromptFacts.of(
            await self.milestones(scope),
            await pause_queries.unit_windows(session, scope.now),
            await latest_points(session, ("prompt", "escalation"), scope.floor),
        )

    async def last_entries(
        self, scope: PassScope, pairs: Collection[tuple[int, int]]
    ) -> Mapping[tuple[int, int], LastEntry]:
        """Read the latest entry of each pair a prompt is about (none on a pass that sends
        nothing: most passes of a workday)."""
        return await last_entries(self.session, pairs, scope.now)

    async def reviews(self, scope: PassScope, send_at: datetime) -> Sequence[ReviewItem]:
        """Read what waits for sign-off, once a day (the day is recorded as settled)."""
        today = scope.today.isoformat()
        if await service_state.get_value(self.session, REVIEWED_DAY) == today:
            return []
        await service_state.set_value(self.session, REVIEWED_DAY, today)
        # Sign-off is on (reviews are asked for only then): the pass's milestones are the ones.
        milestones = await self.milestones(scope)
        return await signoffs.reviews(
            self.session, scope.now, begun_by=send_at, milestones=milestones
        )

    async def held(self, keys: Iterable[str]) -> set[str]:
        """Return which of the dedupe keys the outbox already holds."""
        return await existing_keys(self.session, keys)

    async def digest(self, scope: PassScope) -> Digest:
        """Read the digest's facts as of the pass, and build it."""
        rules = scope.settings.status_rules(scope.calendar)
        facts = await self.digest_facts(scope)
        return digest_from_facts(facts, scope.now, rules=rules, tz=scope.settings.timezone)

    async def digest_facts(self, scope: PassScope) -> DigestFacts:
        """Read the digest's facts as of the pass, with the pass's milestones and words."""
        return await read_digest_facts(
            self.session,
            scope.now,
            rules=scope.settings.status_rules(scope.calendar),
            tz=scope.settings.timezone,
            milestones=await self.milestones(scope),
            labels=await self.labels(),
        )
