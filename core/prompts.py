"""Prompts people answer: which item a button or a reply is about, and how the prompt reads
once some of its items are answered (the doors edit it in place).

Nothing here is remembered in memory: a prompt's items are outbox items, and an item counts
as answered when its unit's chat recorded an entry for its milestone after the prompt was
queued. So a restart loses nothing, and every channel edits from the same facts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from core.buttons import Button, Press
from core.errors import ForeignButton
from core.runtime import Core
from scheduler.payload import OutboxPayload
from storage import outbox, progress
from storage.records import BindingRecord, EntryRecord, OutboxItemRecord, OutboxMessage
from vocabulary import ANSWER_ORDER, Status, status_label


@dataclass(frozen=True, slots=True)
class Mark:
    """An answered item: what was recorded, when and by whom."""

    task_id: str
    status: Status
    day: date
    reporter: str


@dataclass(frozen=True, slots=True)
class PromptState:
    """A sent prompt as it should read now: its text, the answers so far, what is left."""

    message: OutboxMessage
    text: str
    marks: tuple[Mark, ...]
    open_items: tuple[OutboxItemRecord, ...]


def answer_buttons(items: list[OutboxItemRecord]) -> tuple[tuple[Button, ...], ...]:
    """Return one row of answer buttons per item, the task id on the row's first; a check-in
    (ongoing or period work, which has no deadline to move) has no 申请延期."""
    return tuple(
        tuple(
            Button(
                (f"{item.task_id} " if index == 0 else "") + status_label(status),
                Press("answer", item.id, status),
            )
            for index, status in enumerate(ANSWER_ORDER)
            if status != "extension" or item.item_kind != "checkin"
        )
        for item in items
    )


def may_answer(binding: BindingRecord, item: OutboxItemRecord) -> bool:
    """Return whether a chat bound as `binding` may answer a prompt item."""
    # A unit answers only its own items; leadership answers none.
    return binding.unit is not None and item.unit == binding.unit


async def pressed_item(core: Core, binding: BindingRecord, press: Press) -> OutboxItemRecord:
    """Return the prompt item an answer button names, if it belongs to this chat's unit."""
    if press.kind != "answer":
        raise ForeignButton
    return await own_item(core, binding, press.target)


async def own_item(core: Core, binding: BindingRecord, item_id: int) -> OutboxItemRecord:
    """Return a prompt item if it belongs to this chat's unit; raise ForeignButton if not."""
    async with core.db.session(readonly=True) as session:
        found = await outbox.item(session, item_id)
    if found is None or not may_answer(binding, found):
        raise ForeignButton
    return found


async def prompt_by_ref(core: Core, chat_id: int, ref: str) -> PromptState | None:
    """Return the prompt a chat knows by this message reference (what a reply points at)."""
    async with core.db.session(readonly=True) as session:
        message = await outbox.by_message(session, chat_id, ref)
    if message is None or message.kind != "prompt":
        return None
    return await prompt_state(core, message)


async def prompt_of_item(core: Core, item: OutboxItemRecord) -> PromptState | None:
    """Return the prompt an item belongs to."""
    async with core.db.session(readonly=True) as session:
        message = await outbox.get(session, item.outbox_id)
    if message is None:
        return None
    return await prompt_state(core, message)


async def prompt_state(core: Core, message: OutboxMessage) -> PromptState:
    """Return a prompt with its answered items marked and the rest still open."""
    payload = OutboxPayload.from_json(message.payload)
    async with core.db.session(readonly=True) as session:
        items = await outbox.items_of(session, message.id)
        entries = await progress.entries_from_chat(
            session, message.chat_id, message.created_at, (i.task_row for i in items)
        )
    answers = _first_answers(items, entries)
    marks: list[Mark] = []
    left: list[OutboxItemRecord] = []
    for item in items:
        entry = answers.get(item.id)
        if entry is None:
            left.append(item)
        else:
            day = entry.created_at.astimezone(core.tz).date()
            marks.append(Mark(item.task_id, entry.status, day, entry.reporter))
    return PromptState(message, payload.text, tuple(marks), tuple(left))


def _first_answers(
    items: list[OutboxItemRecord], entries: list[EntryRecord]
) -> dict[int, EntryRecord]:
    """Return, per item, the first entry recorded for its milestone."""
    first: dict[tuple[int, int | None], EntryRecord] = {}
    for entry in entries:
        first.setdefault((entry.task_row, entry.milestone_id), entry)
    found = {item.id: first.get((item.task_row, item.milestone_id)) for item in items}
    return {item_id: entry for item_id, entry in found.items() if entry is not None}
