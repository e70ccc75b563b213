"""Where a reconcile pass reads the ledger from.

A pass (`scheduler.reconcile.plan_pass`) decides what is due from facts: the milestones and
their states, pauses, what the outbox already holds, the latest entries, what waits for
sign-off and the digest's figures. The service reads them from the database on every run
(`DatabaseSource` in `scheduler.ledger_pass`, a few set-wise queries); a simulation reads them
once after each answer, or builds them from the plan when it has no database, and keeps them
in memory between answers (`simulate.replay`). The rules are the same pass.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from reports.model import Digest
from scheduler.policy import Paused
from scheduler.settings import PolicySettings
from scheduler.workdays import WorkCalendar
from storage.milestones import MilestoneStatus as ScheduleMilestone
from storage.records import LastEntry, OutboxDraft, ReviewItem

# The latest point queued per (task row, unit id, milestone, message kind).
SentKey = tuple[int, int, int | None, str]
# The day whose 【办结审核】 is settled (written, or found with nothing waiting): later passes
# that day read one value instead of every milestone's state.
REVIEWED_DAY = "signoff_review_day"


@dataclass(frozen=True, slots=True)
class PassScope:
    """One pass: its instant, its day, the earliest day it may prompt for, the plan's year."""

    now: datetime
    today: date
    floor: date
    year: int
    settings: PolicySettings
    calendar: WorkCalendar


# What the policy needs of an open milestone: kind, start, end, interval, its unit's pauses.
WindowKey = tuple[str, date | None, date | None, int | None, Paused]


# A value, never assigned to; not frozen because a pass builds thousands (a frozen
# dataclass's __init__ costs about three times a plain one's: issue 13).
@dataclass(slots=True)
class StillOpen:
    """A milestone not done, with its window and the keys its queued points go by."""

    milestone: ScheduleMilestone
    window: WindowKey
    prompt_key: SentKey
    escalation_key: SentKey


@dataclass(frozen=True, slots=True)
class PromptFacts:
    """What the day's prompts are decided from."""

    milestones: Sequence[ScheduleMilestone]
    paused: Mapping[str, Paused]
    sent: Mapping[SentKey, date]
    # Derived (`of`): the milestones not done, in plan order, and their distinct windows.
    open: Sequence[StillOpen]
    windows: frozenset[WindowKey]

    @classmethod
    def of(
        cls,
        milestones: Sequence[ScheduleMilestone],
        paused: Mapping[str, Paused],
        sent: Mapping[SentKey, date],
    ) -> PromptFacts:
        """Return the facts, with each milestone not done beside the window the policy
        reads and the keys its queued points go by (worked out once, not once a pass)."""
        still_open = [
            StillOpen(
                m,
                (m.kind, m.start, m.end, m.interval_days, paused.get(m.unit, ())),
                (m.task_row, m.unit_id, m.milestone_id, "prompt"),
                (m.task_row, m.unit_id, m.milestone_id, "escalation"),
            )
            for m in milestones
            if not m.done
        ]
        windows = frozenset(o.window for o in still_open)
        return cls(milestones, paused, sent, still_open, windows)


class PassSource(Protocol):
    """The facts a pass reads, wherever they are kept."""

    async def events(
        self, scope: PassScope, chats: Mapping[str, Sequence[int]]
    ) -> list[OutboxDraft]:
        """Return the alerts and extension messages answers caused, not yet queued."""
        ...

    async def prompt_facts(self, scope: PassScope) -> PromptFacts:
        """Return what the day's prompts are decided from."""
        ...

    async def last_entries(
        self, scope: PassScope, pairs: Collection[tuple[int, int]]
    ) -> Mapping[tuple[int, int], LastEntry]:
        """Return the latest entry of each pair a prompt is about (what its text recalls)."""
        ...

    async def reviews(self, scope: PassScope, send_at: datetime) -> Sequence[ReviewItem]:
        """Return what waits for sign-off for the day's 【办结审核】, on the day's first
        asking only (nothing on later passes of a settled day)."""
        ...

    async def held(self, keys: Iterable[str]) -> set[str]:
        """Return which of the dedupe keys the outbox already holds."""
        ...

    async def digest(self, scope: PassScope) -> Digest:
        """Return the weekly digest as of the pass."""
        ...
