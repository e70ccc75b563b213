"""The bot's service calls: each opens one session, checks who may do what, and calls storage."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from bot.callbacks import Answer, AnswerTap, may_answer, may_decide
from bot.services import BotServices
from plan_data.errors import DubanError
from storage import bindings, extensions, invites, outbox, plans, progress, status
from storage.records import (
    BindingRecord,
    EntryDraft,
    EntryRecord,
    EvidenceRecord,
    ExtensionRecord,
    OutboxItemRecord,
    StatusRow,
    TaskRecord,
)

_PERCENT = re.compile(r"(\d{1,3})\s*[%％]")


class ForeignButton(DubanError):
    """A button that does not belong to this chat's unit (pressed elsewhere, or forged)."""

    def __init__(self) -> None:
        super().__init__("this button belongs to another unit or to no prompt at all")


class LeadershipOnly(DubanError):
    """Something only the leadership chat may do."""

    def __init__(self) -> None:
        super().__init__("only the leadership chat may do this")


class NotLater(DubanError):
    """An extension to a date that is not after the due date in force."""

    def __init__(self, due: date) -> None:
        self.due = due
        super().__init__(f"an extension must move the due date past {due.isoformat()}")


@dataclass(frozen=True)
class TaskView:
    """One task with each owner's status row and its recent entries."""

    task: TaskRecord
    rows: list[StatusRow]
    entries: list[EntryRecord]


def split_percent(text: str) -> tuple[str | None, int | None]:
    """Return the note without a leading percent ("60% 已签约3家" → ("已签约3家", 60))."""
    found = _PERCENT.search(text)
    if found is None or int(found.group(1)) > 100:
        return (text.strip() or None), None
    note = (text[: found.start()] + text[found.end() :]).strip(" ，,。;；")
    return (note or None), int(found.group(1))


async def binding_of(services: BotServices, chat_id: int) -> BindingRecord | None:
    """Return what the chat is bound to, or None."""
    known, binding = services.bindings.get(chat_id)
    if known:
        return binding
    async with services.db.session() as session:
        binding = await bindings.binding_for(session, chat_id)
    services.bindings.put(chat_id, binding)
    return binding


async def bind_chat(
    services: BotServices, chat_id: int, code: str, title: str | None
) -> BindingRecord:
    """Redeem an invite code and bind the chat to its unit (or to the leadership)."""
    now = services.now()
    async with services.db.session() as session:
        unit = await invites.redeem_invite(session, code, chat_id, now)
        binding = await bindings.bind(session, chat_id, unit, now, title)
    services.bindings.put(chat_id, binding)
    return binding


async def unbind_chat(services: BotServices, chat_id: int) -> BindingRecord | None:
    """End the chat's binding; return the binding it had."""
    async with services.db.session() as session:
        current = await bindings.binding_for(session, chat_id)
        if current is not None:
            await bindings.unbind(session, chat_id, services.now())
    services.bindings.put(chat_id, None)
    return current


async def rows_for(services: BotServices, unit: str | None = None) -> list[StatusRow]:
    """Return the status rows of one unit, or of the whole bureau."""
    now = services.now()
    today = now.astimezone(services.tz).date()
    cached = services.statuses.get(unit, today)
    if cached is not None:
        return cached
    async with services.db.session() as session:
        rows = await status.status_rows(session, now, unit, services.tz)
    services.statuses.put(unit, today, rows)
    return rows


async def task_view(services: BotServices, task_id: str, unit: str | None = None) -> TaskView:
    """Return a task, its rows (one unit's, or every owner's) and its entries."""
    async with services.db.session() as session:
        task = await plans.task_by_id(session, task_id)
        rows = [
            r
            for r in await status.status_rows(session, services.now(), unit, services.tz)
            if r.task_id == task.id
        ]
        entries: list[EntryRecord] = []
        for owner in task.units if unit is None else (unit,):
            entries += await progress.entries_for(session, task.id, owner)
    entries.sort(key=lambda e: (e.created_at, e.id))
    return TaskView(task, rows, entries)


async def tapped_item(
    services: BotServices, binding: BindingRecord, tap: AnswerTap
) -> OutboxItemRecord:
    """Return the prompt item a button names, if it belongs to this chat's unit."""
    async with services.db.session() as session:
        items = await outbox.items_of(session, tap.outbox_id)
    item = next((i for i in items if i.id == tap.item_id), None)
    if item is None or not may_answer(binding.unit, item.unit):
        raise ForeignButton
    return item


async def prompt_items(
    services: BotServices, binding: BindingRecord, taps: list[AnswerTap]
) -> list[OutboxItemRecord]:
    """Return the distinct items behind a prompt's buttons that belong to this chat's unit."""
    found: dict[int, OutboxItemRecord] = {}
    for tap in taps:
        try:
            item = await tapped_item(services, binding, tap)
        except ForeignButton:
            continue
        found.setdefault(item.id, item)
    return list(found.values())


async def record(
    services: BotServices,
    binding: BindingRecord,
    task_id: str,
    answer: Answer,
    *,
    reporter: str,
    chat_id: int,
    update_id: int | None,
    note: str | None = None,
    percent: int | None = None,
    milestone_id: int | None = None,
    proposed_date: date | None = None,
) -> EntryRecord:
    """Record one progress entry for this chat's unit (idempotent on the update id)."""
    if binding.unit is None:
        raise LeadershipOnly
    draft = EntryDraft(
        task_id=task_id,
        unit=binding.unit,
        status=answer,
        reporter=reporter,
        source="telegram",
        note=note,
        percent=percent,
        proposed_date=proposed_date,
        milestone_id=milestone_id,
        reporter_chat_id=chat_id,
        source_update_id=update_id,
    )
    async with services.db.session() as session:
        entry = await progress.record_entry(session, draft, services.now())
    services.statuses.clear()
    return entry


async def current_due(
    services: BotServices, task_id: str, unit: str, milestone_id: int | None
) -> date | None:
    """Return the due date in force for a milestone (or the task's next one) of a unit."""
    rows = [r for r in await rows_for(services, unit) if r.task_id == task_id]
    for row in rows:
        for milestone in row.open_milestones:
            if milestone_id is None or milestone.milestone_id == milestone_id:
                return milestone.due
        return row.next_due
    return None


async def request_extension(
    services: BotServices,
    binding: BindingRecord,
    task_id: str,
    milestone_id: int | None,
    new_date: date,
    reason: str | None,
    *,
    reporter: str,
    chat_id: int,
    update_id: int | None,
) -> ExtensionRecord:
    """Record an extension entry and file the request for the leadership to decide."""
    if binding.unit is None:
        raise LeadershipOnly
    old = await current_due(services, task_id, binding.unit, milestone_id)
    if old is not None and new_date <= old:
        raise NotLater(old)
    entry = await record(
        services,
        binding,
        task_id,
        "extension",
        reporter=reporter,
        chat_id=chat_id,
        update_id=update_id,
        note=reason,
        milestone_id=milestone_id,
        proposed_date=new_date,
    )
    async with services.db.session() as session:
        return await extensions.request_extension(
            session, entry.id, new_date, services.now(), old_date=old, reason=reason
        )


async def decide(
    services: BotServices, binding: BindingRecord, extension_id: int, approve: bool, by: str
) -> ExtensionRecord:
    """Approve or reject an extension request; only the leadership may."""
    if not may_decide(binding.is_leadership):
        raise LeadershipOnly
    async with services.db.session() as session:
        decided = await extensions.decide_extension(
            session, extension_id, approve, by, services.now()
        )
    services.statuses.clear()
    return decided


async def attach(services: BotServices, entry_id: int, file_id: str, kind: str) -> EvidenceRecord:
    """Attach a file sent in the chat to an entry as evidence."""
    async with services.db.session() as session:
        return await progress.attach_evidence(session, entry_id, file_id, kind, services.now())


def within(days: int, rows: list[StatusRow], today: date) -> list[StatusRow]:
    """Return open rows due within the next `days` days, soonest first."""
    end = today + timedelta(days=days)
    due = [r for r in rows if r.light != "done" and r.next_due and today <= r.next_due <= end]
    return sorted(due, key=lambda r: (r.next_due or end, r.task_id))
