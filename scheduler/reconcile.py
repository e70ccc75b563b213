"""Reconcile: from the ledger and the outbox, write the messages that are due now, once each.

The database is the source of truth. Each run reads milestones, progress, approved extensions,
bindings and what the outbox already holds in a few set-wise queries (`DatabaseSource`, in
`scheduler.ledger_pass`), and
inserts new outbox rows under dedupe keys, so a second run, a late run or a run after a crash
writes nothing twice. What is due is decided by `plan_pass` from those facts alone, which is
how `simulate` plays the days between answers in memory with the very same rules. Prompts and
the digest go out only on workdays at or after their time; alerts and extension messages go
out at once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, time

from reports.digest import render_digest
from scheduler.drafts import outbox_draft
from scheduler.leadership import Tiers, leadership_tiers, review_drafts
from scheduler.messages import PromptItem, escalation_text, prompt_text
from scheduler.pass_source import PassScope, PassSource, WindowKey
from scheduler.policy import (
    MilestoneWindow,
    PromptPoint,
    digest_day_of_week,
    latest_point,
)
from scheduler.settings import PolicySettings
from scheduler.workdays import WorkCalendar
from storage.milestones import MilestoneStatus as ScheduleMilestone
from storage.records import BindingRecord, LastEntry, OutboxDraft
from vocabulary import LEADERSHIP

_URGENCY = {"overdue": 0, "reminder": 1, "checkin": 2}


def pass_scope(
    now: datetime,
    first_started: datetime,
    year: int,
    settings: PolicySettings,
    calendar: WorkCalendar,
) -> PassScope:
    """Return a pass at `now`: nothing falls before the plan's year or the first start."""
    tz = settings.timezone
    floor = max(date(year, 1, 1), first_started.astimezone(tz).date())
    return PassScope(now, now.astimezone(tz).date(), floor, year, settings, calendar)


async def plan_pass(
    scope: PassScope, source: PassSource, bound: Sequence[BindingRecord]
) -> list[OutboxDraft]:
    """Return every message due in this pass, from the facts the source holds (the one rule
    set of the reconcile: the service and a simulation differ only in their source)."""
    # Requests, alerts, reviews and escalations go to leadership's first level; the
    # second level gets later escalations and the digest (scheduler.leadership).
    tiers = leadership_tiers(bound)
    # A group robot only posts: it gets the day's prompts, nothing that asks back.
    talkers = _by_recipient([b for b in bound if not b.posts_only], tiers)
    drafts = await source.events(scope, talkers)
    drafts += await _prompt_drafts(source, scope, _by_recipient(bound, tiers), tiers)
    drafts += await _review_drafts(source, scope, tiers.first)
    drafts += await _digest_drafts(source, scope, list(tiers.everyone))
    return drafts


def _by_recipient(found: Sequence[BindingRecord], tiers: Tiers) -> dict[str, list[int]]:
    chats: dict[str, list[int]] = defaultdict(list)
    for binding in found:
        if not binding.is_leadership:
            chats[binding.recipient].append(binding.chat_id)
    if tiers.first:
        chats[LEADERSHIP] = list(tiers.first)
    return chats


def _at(scope: PassScope, clock_time: time) -> datetime:
    return datetime.combine(scope.today, clock_time, tzinfo=scope.settings.timezone)


async def _prompt_drafts(
    source: PassSource, scope: PassScope, chats: dict[str, list[int]], tiers: Tiers
) -> list[OutboxDraft]:
    send_at = _at(scope, scope.settings.send_time)
    if not scope.calendar.is_workday(scope.today) or scope.now < send_at:
        return []
    facts = await source.prompt_facts(scope)
    sent = facts.sent
    # Many milestones share a window (年底前): the policy is pure, so compute each once. A
    # paused unit's items wait out the pause; their overdue count skips its days.
    points: dict[WindowKey, PromptPoint | None] = {}
    for window in facts.windows:
        points[window] = latest_point(
            MilestoneWindow(*window[:4]),
            scope.calendar,
            scope.settings,
            scope.today,
            scope.floor,
            window[4],
        )
    # A point is sent unless one as new is queued for the milestone (collapse); a unit
    # without a chat keeps its items pending: its first chat gets the latest ones.
    to_unit: list[tuple[ScheduleMilestone, PromptPoint]] = []
    to_lead: list[tuple[ScheduleMilestone, PromptPoint]] = []
    leadership = LEADERSHIP in chats
    for still_open in facts.open:
        point = points[still_open.window]
        if point is None:
            continue
        m = still_open.milestone
        if m.unit in chats:
            queued = sent.get(still_open.prompt_key)
            if queued is None or queued < point.day:
                to_unit.append((m, point))
        if point.escalate and leadership:
            queued = sent.get(still_open.escalation_key)
            if queued is None or queued < point.day:
                to_lead.append((m, point))
    pairs = {m.pair for m, _ in to_unit} | {m.pair for m, _ in to_lead}
    last = await source.last_entries(scope, pairs) if pairs else {}
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
    lead_items = [_item(m, p, last.get(m.pair)) for m, p in to_lead]
    escalated = _ordered(lead_items)
    top_from = scope.settings.escalate_top_from
    to_top = _ordered(
        [i for i, (_, p) in zip(lead_items, to_lead, strict=True) if p.overdue_number >= top_from]
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
    source: PassSource, scope: PassScope, chats: tuple[int, ...]
) -> list[OutboxDraft]:
    send_at = _at(scope, scope.settings.send_time)
    if not scope.settings.signoff or not scope.calendar.is_workday(scope.today):
        return []
    if scope.now < send_at or not chats:
        return []
    items = await source.reviews(scope, send_at)
    return review_drafts(items, send_at, chats, scope.settings.timezone)


async def _digest_drafts(
    source: PassSource, scope: PassScope, chats: list[int]
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
    held = await source.held(keys.values())
    missing = [c for c in chats if keys[c] not in held]
    if not missing:
        return []
    # A digest sent late (after downtime) reads the ledger as of now, not as of Monday.
    digest = await source.digest(scope)
    not_before = digest_at if day == scope.today else scope.now
    text = render_digest(digest)
    return [outbox_draft(keys[c], c, LEADERSHIP, "digest", text, not_before) for c in missing]
