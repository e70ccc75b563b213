"""Answers for `duban simulate --answers`: progress a unit reports, and leadership decisions.

One per line, `#` starts a comment:
    2022-06-10 2.3 社救科 done [note]
    2022-06-10 2.3 社救科 in_progress [note]
    2022-06-20 3.2 社会事务科 blocked 需协调街道
    2022-06-10 2.3 社救科 extension 2022-07-15 [reason]
    2022-06-11 approve 2.3 社救科      (or reject)
    2022-06-24 pass 2.3 社救科         (sign-off: 通过)
    2022-06-24 return 2.3 社救科 照片不清晰    (退回, with its reason)
    2022-06-24 2.3 社救科 withdraw     (the unit's 撤回)
    2022-07-04 pause 社区科 2022-07-15 防汛抢险   (paused 7月4日 to 7月15日, both included)
    2022-07-11 resume 社区科                        (reminders again from 7月11日)

Each is applied through the core (`core.progress`, `core.extensions`, `core.signoff`,
`core.pause`): a line the bot or the CLI would refuse is refused here too, naming its line.
The note is read as the chat's is: progress against targets (`已建成3家`), and an event a
milestone waits for (`2022-03-07 1.2 社会事务科 in_progress 规划已批复 3月4日`). Progress and
decisions come at noon, after the morning prompt; a pause or resume at the start of its day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from core import extensions, pause, progress, signoff
from core.actor import Reporter
from core.errors import DubanError
from core.runtime import Core
from storage import bindings
from storage.extensions import pending_extensions
from storage.schedule_queries import schedule_milestones
from vocabulary import STATUSES, read_status

DECISIONS = ("approve", "reject")
SIGNOFF = ("pass", "return")
WITHDRAW = "withdraw"
PAUSES = ("pause", "resume")
REPORTER = Reporter("simulate", "simulate")
LEADER = "局领导"
LEADER_REPORTER = Reporter(LEADER, "simulate")


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

    @property
    def at_start_of_day(self) -> bool:
        """Return whether it takes effect before the day's prompts (a pause or resume)."""
        return self.action in PAUSES


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
    if len(words) >= 3 and words[1] in PAUSES:
        return _parse_pause(number, words)
    if len(words) < 4:
        raise AnswerError(f"{where}: expected 'DATE TASK UNIT STATUS' or 'DATE approve TASK UNIT'")
    day = _day(where, words[0])
    if words[1] in DECISIONS:
        return Answer(number, day, words[1], words[2], words[3])
    if words[1] in SIGNOFF:
        reason = " ".join(words[4:]) or None
        if words[1] == "return" and reason is None:
            raise AnswerError(f"{where}: a return needs its reason, e.g. 照片不清晰")
        return Answer(number, day, words[1], words[2], words[3], reason)
    task_id, unit, action, rest = words[1], words[2], words[3], words[4:]
    if action == WITHDRAW:
        return Answer(number, day, action, task_id, unit)
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


def _day(where: str, text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise AnswerError(f"{where}: {text!r} is not a date such as 2022-06-10") from None


def _parse_pause(number: int, words: list[str]) -> Answer:
    """Read `DATE pause UNIT UNTIL REASON` or `DATE resume UNIT`."""
    where = f"answers line {number}"
    day, action, unit, rest = _day(where, words[0]), words[1], words[2], words[3:]
    if action == "resume":
        if rest:
            raise AnswerError(f"{where}: expected 'DATE resume UNIT'")
        return Answer(number, day, action, "", unit)
    if len(rest) < 2:
        raise AnswerError(f"{where}: expected 'DATE pause UNIT UNTIL REASON'")
    return Answer(number, day, action, "", unit, " ".join(rest[1:]), _day(where, rest[0]))


async def apply_answer(core: Core, answer: Answer) -> None:
    """Apply an answer through the core at the core's now, as the bot would."""
    try:
        await _apply(core, answer)
    except AnswerError:
        raise
    except DubanError as exc:
        raise AnswerError(f"answers line {answer.line}: {exc}") from exc


async def _apply(core: Core, answer: Answer) -> None:
    if answer.action == "pause" and answer.new_date is not None:
        await pause.pause_unit(
            core, pause.OFFICE, answer.unit, answer.new_date, reason=answer.note, by=LEADER
        )
        return
    if answer.action == "resume":
        await pause.resume_unit(core, pause.OFFICE, answer.unit, by=LEADER)
        return
    if answer.action in DECISIONS:
        async with core.db.session(readonly=True) as session:
            leaders = await bindings.leadership_chats(session)
            requests = await pending_extensions(session)
        request = next(
            (r for r in requests if r.task_id == answer.task_id and r.unit == answer.unit), None
        )
        if request is None:
            raise AnswerError(
                f"answers line {answer.line}: no pending extension of {answer.task_id} "
                f"{answer.unit} to {answer.action}"
            )
        leader = leaders[0] if leaders else None
        await extensions.decide(core, leader, request.id, answer.action == "approve", LEADER)
        return
    unit = core.units.resolve(answer.unit)
    if answer.action in SIGNOFF:
        report = await signoff.waiting_report(core, unit, answer.task_id)
        if answer.action == "pass":
            await signoff.sign_off(core, report.entry.id, by=LEADER_REPORTER, leadership=True)
        else:
            await signoff.send_back(
                core, report.entry.id, answer.note or "", by=LEADER_REPORTER, leadership=True
            )
        return
    if answer.action == WITHDRAW:
        await signoff.withdraw(core, unit, answer.task_id, by=REPORTER)
        return
    if answer.action == "extension" and answer.new_date is not None:
        await extensions.request_extension(
            core, unit, answer.task_id, answer.new_date.isoformat(), by=REPORTER,
            reason=answer.note,
        )  # fmt: skip
        return
    status = read_status(answer.action)
    if status is None:
        raise AnswerError(f"answers line {answer.line}: unknown status {answer.action!r}")
    await progress.report(
        core,
        unit,
        answer.task_id,
        status,
        by=REPORTER,
        note=answer.note,
        milestone_id=await _open_milestone(core, answer.task_id, unit),
    )


async def _open_milestone(core: Core, task_id: str, unit: str) -> int | None:
    """Return the pair's most pressing open milestone, as a prompt's buttons would carry."""
    async with core.db.session(readonly=True) as session:
        open_ones = [
            m
            for m in await schedule_milestones(session, core.now(), signoff=core.policy.signoff)
            if m.task_id == task_id and m.unit == unit and not m.done
        ]
    if not open_ones:
        return None
    return min(open_ones, key=lambda m: (m.end or date.max, m.milestone_id)).milestone_id
