"""Answers for `duban simulate --answers`: progress a unit reports, and leadership decisions.

One per line, `#` starts a comment:
    2022-06-10 2.3 社救科 done [note]
    2022-06-10 2.3 社救科 in_progress [note]
    2022-06-20 3.2 社会事务科 blocked 需协调街道
    2022-06-10 2.3 社救科 extension 2022-07-15 [reason]
    2022-06-11 approve 2.3 社救科      (or reject)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from plan_data.errors import DubanError
from storage.extensions import decide_extension, pending_extensions, request_extension
from storage.progress import record_entry
from storage.records import EntryDraft, EntryStatus
from storage.schedule_queries import schedule_milestones

STATUSES: dict[str, EntryStatus] = {
    "done": "done",
    "in_progress": "in_progress",
    "blocked": "blocked",
    "extension": "extension",
}
DECISIONS = ("approve", "reject")
REPORTER = "simulate"
LEADER = "局领导"


class AnswerError(DubanError):
    """An answers file line that cannot be read or applied."""


@dataclass(frozen=True, slots=True)
class Answer:
    """One answer: on a day, a unit reports on a task, or leadership decides its extension."""

    line: int
    day: date
    action: str
    task_id: str
    unit: str
    note: str | None = None
    new_date: date | None = None


def parse_answers(text: str) -> list[Answer]:
    """Read an answers file; raise AnswerError naming the line of the first bad one."""
    answers = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if line:
            answers.append(_parse(number, line))
    return sorted(answers, key=lambda a: (a.day, a.line))


def _parse(number: int, line: str) -> Answer:
    words = line.split()
    where = f"answers line {number}"
    if len(words) < 4:
        raise AnswerError(f"{where}: expected 'DATE TASK UNIT STATUS' or 'DATE approve TASK UNIT'")
    try:
        day = date.fromisoformat(words[0])
    except ValueError:
        raise AnswerError(f"{where}: {words[0]!r} is not a date such as 2022-06-10") from None
    if words[1] in DECISIONS:
        return Answer(number, day, words[1], words[2], words[3])
    task_id, unit, action, rest = words[1], words[2], words[3], words[4:]
    if action not in STATUSES:
        raise AnswerError(f"{where}: status {action!r} is not one of {', '.join(STATUSES)}")
    new_date = None
    if action == "extension":
        if not rest:
            raise AnswerError(f"{where}: an extension needs the new date, e.g. 2022-07-15")
        try:
            new_date = date.fromisoformat(rest[0])
        except ValueError:
            raise AnswerError(f"{where}: {rest[0]!r} is not a date such as 2022-07-15") from None
        rest = rest[1:]
    return Answer(number, day, action, task_id, unit, " ".join(rest) or None, new_date)


async def apply_answer(session: AsyncSession, answer: Answer, now: datetime) -> None:
    """Record an answer in the ledger at `now`, as the bot would."""
    if answer.action in DECISIONS:
        for request in await pending_extensions(session):
            if request.task_id == answer.task_id and request.unit == answer.unit:
                await decide_extension(
                    session, request.id, answer.action == "approve", LEADER, now
                )
                return
        raise AnswerError(
            f"answers line {answer.line}: no pending extension of {answer.task_id} "
            f"{answer.unit} to {answer.action}"
        )
    milestone_id, due = await _open_milestone(session, answer, now)
    entry = await record_entry(
        session,
        EntryDraft(
            task_id=answer.task_id,
            unit=answer.unit,
            status=STATUSES[answer.action],
            reporter=REPORTER,
            source="cli",
            note=answer.note,
            proposed_date=answer.new_date,
            milestone_id=milestone_id,
        ),
        now,
    )
    if answer.new_date is not None:
        await request_extension(session, entry.id, answer.new_date, now, old_date=due)


async def _open_milestone(
    session: AsyncSession, answer: Answer, now: datetime
) -> tuple[int | None, date | None]:
    """Return the pair's most pressing open milestone, as a prompt's buttons would carry."""
    open_ones = [
        m
        for m in await schedule_milestones(session, now)
        if m.task_id == answer.task_id and m.unit == answer.unit and not m.done
    ]
    if not open_ones:
        return None, None
    first = min(open_ones, key=lambda m: (m.end or date.max, m.milestone_id))
    return first.milestone_id, first.end
