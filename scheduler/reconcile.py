"""Reconcile: from the ledger and the outbox, write the messages that are due now, once each.

The database is the source of truth. Each run reads milestones, progress, approved extensions,
bindings and what the outbox already holds, and inserts new outbox rows under dedupe keys, so
a second run, a late run or a run after a crash writes nothing twice. Prompts and the digest go
out only on workdays at or after their time; alerts and extension messages go out at once.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time

from sqlalchemy.ext.asyncio import AsyncSession

from reports.digest import compute_digest, render_digest
from reports.source import read_digest_input
from scheduler.drafts import outbox_draft
from scheduler.events import event_drafts
from scheduler.leadership import Tiers, leadership_tiers, review_drafts
from scheduler.messages import PromptItem, escalation_text, prompt_text
from scheduler.policy import (
    MilestoneWindow,
    Paused,
    PromptPoint,
    digest_day_of_week,
    latest_point,
)
from scheduler.settings import PolicySettings
from scheduler.workdays import WorkCalendar
from storage import bindings, outbox, pauses, service_state
from storage.database import Database
from storage.locks import reconcile_lock
from storage.records import BindingRecord, OutboxDraft
from storage.schedule_queries import (
    LastEntry,
    ScheduleMilestone,
    existing_keys,
    last_entries,
    latest_points,
    plan_year,
    schedule_milestones,
)
from vocabulary import LEADERSHIP

_URGENCY = {"overdue": 0, "reminder": 1, "checkin": 2}


@dataclass(frozen=True, slots=True)
class ReconcileResult:
    """What one run did: whether it held the lock, and the dedupe keys it wrote."""

    ran: bool
    written: tuple[str, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class _Scope:
    now: datetime
    today: date
    floor: date
    year: int
    settings: PolicySettings
    calendar: WorkCalendar


async def reconcile(
    db: Database, now: datetime, settings: PolicySettings, calendar: WorkCalendar
) -> ReconcileResult:
    """Write every message due at `now` that the outbox does not hold yet."""
    async with reconcile_lock(db) as held:
        if not held:
            return ReconcileResult(ran=False)
        async with db.session() as session:
            year = await plan_year(session)
            if year is None:
                return ReconcileResult(ran=True)
            first = await _first_started(session, now)
            tz = settings.timezone
            scope = _Scope(
                now,
                now.astimezone(tz).date(),
                max(date(year, 1, 1), first.astimezone(tz).date()),
                year,
                settings,
                calendar,
            )
            bound = await bindings.all_bindings(session)
            # Requests, alerts, reviews and escalations go to leadership's first level; the
            # second level gets later escalations and the digest (scheduler.leadership).
            tiers = leadership_tiers(bound)
            # A group robot only posts: it gets the day's prompts, nothing that asks back.
            talkers = _by_recipient([b for b in bound if not b.posts_only], tiers)
            drafts = await event_drafts(session, scope.now, scope.floor, year, talkers, tz)
            drafts += await _prompt_drafts(session, scope, _by_recipient(bound, tiers), tiers)
            drafts += await _review_drafts(session, scope, tiers.first)
            drafts += await _digest_drafts(session, scope, list(tiers.everyone))
            written = await outbox.enqueue_many(session, drafts, now)
    return ReconcileResult(ran=True, written=tuple(written))


async def _first_started(session: AsyncSession, now: datetime) -> datetime:
    """Return when the service first started (recorded on the very first run)."""
    stored = await service_state.get_value(session, service_state.FIRST_STARTED_AT)
    if stored is not None:
        return datetime.fromisoformat(stored)
    return await service_state.first_started_at(session, now)


def _by_recipient(found: list[BindingRecord], tiers: Tiers) -> dict[str, list[int]]:
    chats: dict[str, list[int]] = defaultdict(list)
    for binding in found:
        if not binding.is_leadership:
            chats[binding.recipient].append(binding.chat_id)
    if tiers.first:
        chats[LEADERSHIP] = list(tiers.first)
    return chats


def _at(scope: _Scope, clock_time: time) -> datetime:
    return datetime.combine(scope.today, clock_time, tzinfo=scope.settings.timezone)


async def _prompt_drafts(
    session: AsyncSession, scope: _Scope, chats: dict[str, list[int]], tiers: Tiers
) -> list[OutboxDraft]:
    send_at = _at(scope, scope.settings.send_time)
    if not scope.calendar.is_workday(scope.today) or scope.now < send_at:
        return []
    sent = await latest_points(session, ("prompt", "escalation"))
    # A paused unit's items wait out the pause; their overdue count skips its days.
    paused = await pauses.unit_windows(session, scope.now)
    memo: dict[
        tuple[str, date | None, date | None, int | None, Paused], PromptPoint | None
    ] = {}
    due: list[tuple[ScheduleMilestone, PromptPoint]] = []
    for m in await schedule_milestones(session, scope.now, signoff=scope.settings.signoff):
        if m.done:
            continue
        window = (m.kind, m.start, m.end, m.interval_days, paused.get(m.unit, ()))
        if window not in memo:
            # Many milestones share dates (年底前): the policy is pure, so compute once.
            memo[window] = latest_point(
                MilestoneWindow(*window[:4]),
                scope.calendar,
                scope.settings,
                scope.today,
                scope.floor,
                window[4],
            )
        point = memo[window]
        if point is not None:
            due.append((m, point))
    # A unit without a chat keeps its items pending: its first chat gets the latest ones.
    to_unit = [(m, p) for m, p in due if m.unit in chats and _pending(sent, m, p, "prompt")]
    to_lead = [
        (m, p)
        for m, p in due
        if p.escalate and LEADERSHIP in chats and _pending(sent, m, p, "escalation")
    ]
    last = await last_entries(session, (m.pair for m, _ in to_unit + to_lead), scope.now)
    drafts: list[OutboxDraft] = []
    per_unit: dict[str, list[PromptItem]] = defaultdict(list)
    for m, p in to_unit:
        per_unit[m.unit].append(_item(m, p, last.get(m.pair)))
    for unit, unit_items in per_unit.items():
        ordered = _ordered(unit_items)
        text = prompt_text(unit, scope.today, ordered, scope.settings.timezone)
        for chat in chats.get(unit, []):
            key = f"prompt:{unit}:{scope.today.isoformat()}:{chat}"
            drafts.append(
                outbox_draft(
                    key, chat, unit, "prompt", text, send_at, items=ordered, buttons="prompt"
                )
            )
    escalated = _ordered([_item(m, p, last.get(m.pair)) for m, p in to_lead])
    top_from = scope.settings.escalate_top_from
    to_top = _ordered(
        [_item(m, p, last.get(m.pair)) for m, p in to_lead if p.overdue_number >= top_from]
    )
    for lead_chats, lead_items in ((tiers.first, escalated), (tiers.top, to_top)):
        if not lead_items:
            continue
        text = escalation_text(scope.today, lead_items, scope.settings.timezone)
        for chat in lead_chats:
            key = f"escalation:{scope.today.isoformat()}:{chat}"
            drafts.append(
                outbox_draft(key, chat, LEADERSHIP, "escalation", text, send_at, items=lead_items)
            )
    return drafts


def _pending(
    sent: dict[tuple[int, int, int | None, str], date],
    m: ScheduleMilestone,
    point: PromptPoint,
    kind: str,
) -> bool:
    """Return whether a point is newer than anything queued for this milestone (collapse)."""
    queued = sent.get((m.task_row, m.unit_id, m.milestone_id, kind))
    return queued is None or queued < point.day


def _item(m: ScheduleMilestone, point: PromptPoint, last: LastEntry | None) -> PromptItem:
    return PromptItem(
        task_row=m.task_row,
        task_id=m.task_id,
        title=m.title,
        unit=m.unit,
        milestone_id=m.milestone_id,
        kind=point.kind,
        due=point.due,
        action=m.action,
        point_day=point.day,
        escalate=point.escalate,
        last_note=last.note if last else None,
        last_at=last.created_at if last else None,
        waiting=m.event if m.waiting else None,
    )


def _ordered(items: list[PromptItem]) -> list[PromptItem]:
    # Most urgent first; check-ins (no real due date) in plan order.
    return sorted(
        items,
        key=lambda i: (
            _URGENCY[i.kind],
            i.due if i.due and i.kind != "checkin" else date.max,
            i.task_row,
        ),
    )


async def _review_drafts(
    session: AsyncSession, scope: _Scope, chats: tuple[int, ...]
) -> list[OutboxDraft]:
    send_at = _at(scope, scope.settings.send_time)
    if not scope.settings.signoff or not scope.calendar.is_workday(scope.today):
        return []
    if scope.now < send_at:
        return []
    return await review_drafts(session, scope.now, send_at, chats, scope.settings.timezone)


async def _digest_drafts(
    session: AsyncSession, scope: _Scope, chats: list[int]
) -> list[OutboxDraft]:
    day = digest_day_of_week(scope.calendar, scope.settings, scope.today)
    if not chats or day is None or day > scope.today or day < scope.floor:
        return []
    if not scope.calendar.is_workday(scope.today):
        return []
    digest_at = datetime.combine(day, scope.settings.digest_time, tzinfo=scope.settings.timezone)
    if scope.now < digest_at:
        return []
    year, week, _ = scope.today.isocalendar()
    keys = {chat: f"digest:{year}-W{week:02d}:{chat}" for chat in chats}
    missing = [c for c in chats if keys[c] not in await existing_keys(session, keys.values())]
    if not missing:
        return []
    # A digest sent late (after downtime) reads the ledger as of now, not as of Monday.
    tz = scope.settings.timezone
    rules = scope.settings.status_rules(scope.calendar)
    source = await read_digest_input(session, scope.now, rules=rules, tz=tz)
    digest = compute_digest(
        source.rows, source.extensions, scope.now, source.units, tz, source.timeliness or ()
    )
    not_before = digest_at if day == scope.today else scope.now
    text = render_digest(digest)
    return [outbox_draft(keys[c], c, LEADERSHIP, "digest", text, not_before) for c in missing]
