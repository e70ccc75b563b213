"""Questions the bot asks and the answers that complete them, one transaction each.

A question (the note after 进行中, the help after 遇到困难, the date after 申请延期, evidence
or a note after 已完成, which item a reply is about) belongs to a chat, a person and one item.
It is stored, so it survives a restart; it lapses after `question_hours`; and it is closed in
the same transaction that records its answer, so nothing later is taken for that answer and
an answer handled twice records once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Final

from core import rules
from core.actor import Reporter
from core.errors import QuestionClosed
from core.extensions import ExtensionFiled, file_request
from core.progress import record
from core.runtime import Core
from storage import progress as progress_entries
from storage import questions
from storage.plans import unit_ids
from storage.records import EntryRecord, OutboxItemRecord, QuestionKind, QuestionRecord
from vocabulary import Status

# The question a status button asks (已完成 is recorded at once, then asks for evidence).
QUESTION_AFTER: Final[dict[Status, QuestionKind]] = {
    "in_progress": "note",
    "blocked": "help",
    "extension": "date",
    "done": "evidence",
}
# What an answer to each kind of question records.
STATUS_OF: Final[dict[QuestionKind, Status]] = {
    "note": "in_progress",
    "help": "blocked",
    "date": "extension",
    "evidence": "done",
    "pick": "in_progress",
}


@dataclass(frozen=True, slots=True)
class Answered:
    """What an answer recorded: an entry, or an extension request."""

    question: QuestionRecord
    status: Status
    entry: EntryRecord | None = None
    filed: ExtensionFiled | None = None


async def ask(
    core: Core,
    chat_id: int,
    person: str,
    kind: QuestionKind,
    *,
    item: OutboxItemRecord | None = None,
    entry: EntryRecord | None = None,
    text: str | None = None,
    prompt_ref: str | None = None,
) -> QuestionRecord:
    """Open a question for a person in a chat (closing any they still had open there)."""
    now = core.now()
    async with core.db.session() as session:
        unit = item.unit if item is not None else entry.unit if entry is not None else None
        unit_id = (await unit_ids(session))[unit] if unit is not None else None
        return await questions.ask(
            session,
            chat_id=chat_id,
            person=person,
            kind=kind,
            now=now,
            expires_at=now + timedelta(hours=core.policy.question_hours),
            task_row=item.task_row if item else entry.task_row if entry else None,
            unit_id=unit_id,
            milestone_id=item.milestone_id if item else entry.milestone_id if entry else None,
            outbox_item_id=item.id if item else None,
            entry_id=entry.id if entry else None,
            text=text,
            prompt_ref=prompt_ref,
        )


async def asked(core: Core, question_id: int, ref: str) -> None:
    """Remember which message asked the question (a reply to it then answers it)."""
    async with core.db.session() as session:
        await questions.set_question_ref(session, question_id, ref)


async def open_question(core: Core, chat_id: int, person: str) -> QuestionRecord | None:
    """Return the person's open question in the chat, or None (none, answered or lapsed)."""
    async with core.db.session(readonly=True) as session:
        return await questions.open_for(session, chat_id, person, core.now())


async def answered_before(
    core: Core, chat_id: int, person: str, question_ref: str, text: str
) -> EntryRecord | None:
    """Return the entry that already answered the person's question asked by the message
    `question_ref` with this very text (the answer sent again: its confirmation was lost), or
    None when the question is still open, is someone else's, or was answered otherwise."""
    async with core.db.session(readonly=True) as session:
        asked = await questions.by_ref(session, chat_id, question_ref)
        if asked is None or asked.person != person or asked.closed_at is None:
            return None
        if asked.task_row is None or asked.kind not in ("note", "help"):
            return None
        entries = await progress_entries.entries_from_chat(
            session, chat_id, asked.asked_at, [asked.task_row]
        )
    note, _ = rules.split_percent(text)
    for entry in entries:
        if (
            entry.milestone_id == asked.milestone_id
            and entry.status == STATUS_OF[asked.kind]
            and entry.created_at <= (asked.closed_at or entry.created_at)
            and (entry.note or "") == (note or "")
        ):
            return entry
    return None


async def question(core: Core, question_id: int) -> QuestionRecord | None:
    """Return a question by id, open or not."""
    async with core.db.session(readonly=True) as session:
        return await questions.find(session, question_id)


async def answer(core: Core, asked_of: QuestionRecord, text: str, *, by: Reporter) -> Answered:
    """Record what a typed answer says and close its question, in one transaction.

    A date that cannot be used raises (the question stays open, to be asked again).
    """
    if asked_of.task_id is None:
        raise QuestionClosed
    now = core.now()
    status = STATUS_OF[asked_of.kind]
    async with core.db.session() as session:
        if not await questions.close(session, asked_of.id, now):
            raise QuestionClosed
        if status == "extension":
            filed = await file_request(
                session,
                core,
                asked_of.unit,
                asked_of.task_id,
                text,
                by=by,
                milestone_id=asked_of.milestone_id,
                at=now,
            )
            result = Answered(asked_of, status, filed=filed)
        else:
            note, percent = rules.split_percent(text)
            entry = await record(
                session,
                asked_of.unit,
                asked_of.task_id,
                status,
                by=by,
                note=note,
                percent=percent,
                milestone_id=asked_of.milestone_id,
                at=now,
                is_workday=core.calendar.is_workday,
                tz=core.tz,
            )
            result = Answered(asked_of, status, entry=entry)
    core.changed()
    return result


async def answer_pick(
    core: Core, asked_of: QuestionRecord, item: OutboxItemRecord, *, by: Reporter
) -> Answered:
    """Record the note a reply carried for the item the person then picked."""
    now = core.now()
    note, percent = rules.split_percent(asked_of.text or "")
    async with core.db.session() as session:
        if not await questions.close(session, asked_of.id, now):
            raise QuestionClosed
        entry = await record(
            session,
            item.unit,
            item.task_id,
            "in_progress",
            by=by,
            note=note,
            percent=percent,
            milestone_id=item.milestone_id,
            at=now,
            is_workday=core.calendar.is_workday,
            tz=core.tz,
        )
    core.changed()
    return Answered(asked_of, "in_progress", entry=entry)
