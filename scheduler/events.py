"""Messages that answers cause: blocked alerts and extension requests and decisions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from scheduler.drafts import outbox_draft
from scheduler.messages import blocked_text, extension_outcome_text, extension_request_text
from storage.extensions import all_extensions
from storage.plans import current_tasks
from storage.progress import all_entries
from storage.records import ExtensionRecord, OutboxDraft, TaskRecord
from storage.schedule_queries import existing_keys
from vocabulary import LEADERSHIP

# Answers older than this are history, not news: a restored backup must not re-alert.
RECENT = timedelta(days=7)


async def event_drafts(
    session: AsyncSession,
    now: datetime,
    floor: date,
    year: int,
    chats: Mapping[str, Sequence[int]],
    tz: ZoneInfo,
) -> list[OutboxDraft]:
    """Return alert and extension messages not yet in the outbox (sent at any hour)."""
    since = max(now - RECENT, datetime.combine(floor, datetime.min.time(), tzinfo=tz))
    lead = chats.get(LEADERSHIP, [])
    blocked = await all_entries(session, since=since, until=now, status="blocked")
    extensions = [
        x
        for x in await all_extensions(session)
        if x.state == "pending" or (x.decided_at is not None and since <= x.decided_at <= now)
    ]
    if not blocked and not extensions:
        return []
    tasks = {t.row: t for t in await current_tasks(session)}
    drafts: list[OutboxDraft] = []
    for e in blocked:
        title = _title(tasks, e.task_row)
        text = blocked_text(e.unit, e.task_id, title, e.note, e.created_at, e.reporter, tz)
        drafts += [
            outbox_draft(f"alert:{e.id}:{c}", c, LEADERSHIP, "alert", text, now) for c in lead
        ]
    for x in extensions:
        if x.requested_at > now:
            continue
        if x.state == "pending":
            text = extension_request_text(
                x.unit,
                x.task_id,
                _title(tasks, x.task_row),
                _action(tasks, x),
                x.old_date,
                x.new_date,
                x.reason,
                year,
            )
            drafts += [
                outbox_draft(
                    f"extreq:{x.id}:{c}",
                    c,
                    LEADERSHIP,
                    "extension_request",
                    text,
                    now,
                    buttons="extension_decision",
                    extension_id=x.id,
                )
                for c in lead
            ]
        else:
            text = extension_outcome_text(
                x.task_id,
                _title(tasks, x.task_row),
                _action(tasks, x),
                x.old_date,
                x.new_date,
                x.state == "approved",
                year,
            )
            drafts += [
                outbox_draft(
                    f"extout:{x.id}:{c}",
                    c,
                    x.unit,
                    "extension_outcome",
                    text,
                    now,
                    extension_id=x.id,
                )
                for c in chats.get(x.unit, [])
            ]
    held = await existing_keys(session, (d.dedupe_key for d in drafts))
    return [d for d in drafts if d.dedupe_key not in held]


def _title(tasks: Mapping[int, TaskRecord], row: int) -> str:
    task = tasks.get(row)
    return task.title if task else ""


def _action(tasks: Mapping[int, TaskRecord], x: ExtensionRecord) -> str | None:
    task = tasks.get(x.task_row)
    if task is None:
        return None
    for m in task.milestones:
        if m.id == x.milestone_id:
            return m.action
    return None
