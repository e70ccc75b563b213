"""Questions the bot asked a person in a chat: stored, so a restart keeps them; closed once.

A question belongs to a chat, a person and (for most kinds) one item: the reply that answers
it records against that item's milestone. It expires after a while, and is closed the moment
it is answered, so a later message is never mistaken for its answer.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import PendingQuestionRow, TaskRow, UnitRow
from storage.records import QuestionKind, QuestionRecord


async def ask(
    session: AsyncSession,
    *,
    chat_id: int,
    person: str,
    kind: QuestionKind,
    now: datetime,
    expires_at: datetime,
    task_row: int | None = None,
    unit_id: int | None = None,
    milestone_id: int | None = None,
    outbox_item_id: int | None = None,
    entry_id: int | None = None,
    text: str | None = None,
    prompt_ref: str | None = None,
) -> QuestionRecord:
    """Open a question for a person, closing any question they still had open in the chat."""
    await session.execute(
        update(PendingQuestionRow)
        .where(
            PendingQuestionRow.chat_id == chat_id,
            PendingQuestionRow.person == person,
            PendingQuestionRow.closed_at.is_(None),
        )
        .values(closed_at=now)
    )
    row = PendingQuestionRow(
        chat_id=chat_id,
        person=person,
        kind=kind,
        task_id=task_row,
        unit_id=unit_id,
        milestone_id=milestone_id,
        outbox_item_id=outbox_item_id,
        entry_id=entry_id,
        text=text,
        prompt_ref=prompt_ref,
        asked_at=now,
        expires_at=expires_at,
    )
    session.add(row)
    await session.flush()
    return await get(session, row.id)


async def set_question_ref(session: AsyncSession, question_id: int, ref: str) -> None:
    """Remember the channel's reference of the message that asked the question."""
    await session.execute(
        update(PendingQuestionRow)
        .where(PendingQuestionRow.id == question_id)
        .values(question_ref=ref)
    )


async def open_for(
    session: AsyncSession, chat_id: int, person: str, now: datetime
) -> QuestionRecord | None:
    """Return the person's open, unexpired question in the chat, or None."""
    found = await _select(
        session,
        PendingQuestionRow.chat_id == chat_id,
        PendingQuestionRow.person == person,
        PendingQuestionRow.closed_at.is_(None),
        PendingQuestionRow.expires_at > now,
    )
    return found[-1] if found else None


async def get(session: AsyncSession, question_id: int) -> QuestionRecord:
    """Return one question (open or not)."""
    found = await _select(session, PendingQuestionRow.id == question_id)
    if not found:
        raise LookupError(f"no question {question_id}")
    return found[0]


async def find(session: AsyncSession, question_id: int) -> QuestionRecord | None:
    """Return one question, or None when there is no such question."""
    found = await _select(session, PendingQuestionRow.id == question_id)
    return found[0] if found else None


async def by_ref(session: AsyncSession, chat_id: int, ref: str) -> QuestionRecord | None:
    """Return the question a chat's message asked (open or not), or None."""
    found = await _select(
        session, PendingQuestionRow.chat_id == chat_id, PendingQuestionRow.question_ref == ref
    )
    return found[-1] if found else None


async def close(session: AsyncSession, question_id: int, now: datetime) -> bool:
    """Close an open question; return False when it was already closed (answered twice)."""
    result = await session.execute(
        update(PendingQuestionRow)
        .where(PendingQuestionRow.id == question_id, PendingQuestionRow.closed_at.is_(None))
        .values(closed_at=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def _select(session: AsyncSession, *conditions: object) -> list[QuestionRecord]:
    rows = await session.execute(
        select(PendingQuestionRow, TaskRow.task_id, UnitRow.name)
        .outerjoin(TaskRow, TaskRow.id == PendingQuestionRow.task_id)
        .outerjoin(UnitRow, UnitRow.id == PendingQuestionRow.unit_id)
        .where(*conditions)  # type: ignore[arg-type]
        .order_by(PendingQuestionRow.id)
    )
    return [
        QuestionRecord(
            id=q.id,
            chat_id=q.chat_id,
            person=q.person,
            kind=q.kind,  # type: ignore[arg-type]
            task_row=q.task_id,
            task_id=task_code,
            unit=unit,
            milestone_id=q.milestone_id,
            outbox_item_id=q.outbox_item_id,
            entry_id=q.entry_id,
            text=q.text,
            question_ref=q.question_ref,
            prompt_ref=q.prompt_ref,
            asked_at=q.asked_at,
            expires_at=q.expires_at,
            closed_at=q.closed_at,
        )
        for q, task_code, unit in rows
    ]
