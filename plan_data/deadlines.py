"""Read a plan's deadline text (完成时限) into milestones, flagging what it cannot read."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from plan_data.chinese_dates import NUM, TimeExpr, cn_int, match_time, month_end, normalize
from plan_data.model import Milestone, MilestoneKind

DEFAULT_PROBLEM = "no deadline: due Dec 31 by default"

_CLAUSE_SPLIT = re.compile(r"[，；,;。]")
# Words before a time expression that add nothing to the date: 力争5月末完成.
_LEAD = re.compile(r"^(?:力争|争取|确保|预计|计划|原则上|并于|于|在|截至|截止|到)")
# Words right after a time expression that only say "by": 6月底前完成.
_BY = re.compile(r"^(?:以前|之前|以内|为止|前|内|止)")
_ONGOING_PREFIXES = ("常态化", "持续", "长期", "长年", "常年", "经常性")
# An ongoing clause made only of these adds no action: 持续推进, 长期坚持.
_FILLER = {"", "推进", "开展", "坚持", "实施", "落实", "进行", "抓好", "化"}
_EMPTY_ACTIONS = {"", "完成", "完成任务", "全部完成", "办结"}
_MONTHLY = re.compile(rf"^每(?:个)?月(?:(?P<d>{NUM})[日号]|(?P<end>底|末))")
_QUARTERLY = re.compile(r"^每个?季度?(?:末|底)?")


@dataclass(frozen=True)
class DeadlineReading:
    """Milestones read from a deadline text, and what could not be read (English)."""

    milestones: tuple[Milestone, ...]
    problems: tuple[str, ...]


def _action(rest: str) -> str | None:
    rest = _BY.sub("", rest)
    rest = _LEAD.sub("", rest)
    return None if rest in _EMPTY_ACTIONS else rest


def _recurring(clause: str, year: int) -> list[Milestone] | None:
    monthly = _MONTHLY.match(clause)
    if monthly:
        day = cn_int(monthly["d"]) if monthly["d"] else None
        if monthly["d"] and (day is None or not 1 <= day <= 31):
            return None
        action = _action(clause[monthly.end():])
        return [
            Milestone("deadline", action, None,
                      date(year, m, min(day or 31, month_end(year, m))))
            for m in range(1, 13)
        ]
    quarterly = _QUARTERLY.match(clause)
    if quarterly:
        action = _action(clause[quarterly.end():])
        return [
            Milestone("deadline", action, None, date(year, m, month_end(year, m)))
            for m in (3, 6, 9, 12)
        ]
    return None


def _ongoing(clause: str, year: int) -> Milestone | None:
    for prefix in _ONGOING_PREFIXES:
        if clause.startswith(prefix):
            rest = clause[len(prefix):]
            action = None if rest in _FILLER else clause
            return Milestone("ongoing", action, date(year, 1, 1), None)
    return None


def _timed(clause: str) -> tuple[TimeExpr, str] | None:
    """Return the time expression opening the clause (after 力争 and such) and the rest."""
    found = match_time(clause)
    if found is None:
        lead = _LEAD.match(clause)
        if lead is None:
            return None
        clause = clause[lead.end():]
        found = match_time(clause)
        if found is None:
            return None
    return found.expr, clause[found.end:]


def _read_clause(clause: str, year: int, problems: list[str]) -> list[Milestone] | None:
    recurring = _recurring(clause, year)
    if recurring is not None:
        return recurring
    timed = _timed(clause)
    if timed is None:
        ongoing = _ongoing(clause, year)
        return None if ongoing is None else [ongoing]
    expr, rest = timed
    action = _action(rest)
    try:
        start, end = expr.start(year), expr.end(year)
    except ValueError:
        return None  # e.g. 2月29日 in a year that has none
    if expr.year is not None and expr.year != year:
        problems.append(f'deadline year {expr.year} is not the plan year {year}: "{clause}"')
    kind: MilestoneKind = "period" if expr.is_period else "deadline"
    return [Milestone(kind, action, start, end)]


def read_deadline(text: str, year: int) -> DeadlineReading:
    """Read a deadline text into milestones for the plan year; keep unreadable clauses."""
    milestones: list[Milestone] = []
    problems: list[str] = []
    for raw in _CLAUSE_SPLIT.split(text):
        clause = normalize(raw)
        if not clause:
            continue
        read = _read_clause(clause, year, problems)
        if read is None:
            problems.append(f'unreadable deadline: "{raw.strip()}"')
        else:
            milestones.extend(read)
    if not milestones:
        milestones.append(Milestone("deadline", None, None, date(year, 12, 31)))
        problems.append(DEFAULT_PROBLEM)
    return DeadlineReading(tuple(milestones), tuple(problems))


_SENTENCE_END = re.compile(r"[。！？!?\n]")
_MAX_SENTENCE = 60
_MAX_ACTION = 24


# What a sentence opening with a time expression can start with: a cheap first test.
_OPENING = re.compile(
    r"^(?:力争|争取|确保|预计|计划|原则上|并于|于|在|截至|截止|到)?"
    r"(?:\d|[零〇一二两三四五六七八九十]|年|今|本|上半|下半|第|[Qq]|每)"
)


def _is_deadline_sentence(sentence: str) -> bool:
    # \d also matches full-width digits, so the cheap test can run before normalizing.
    if len(sentence) > 2 * _MAX_SENTENCE or not _OPENING.match(sentence):
        return False
    text = normalize(sentence)
    if len(text) > _MAX_SENTENCE:
        return False
    timed = _timed(text)
    # 全年 opens ordinary prose too often to count as a deadline sentence on its own.
    if timed is None or timed[0].kind == "full_year":
        return False
    reading = read_deadline(sentence, 2000)
    return all(p.startswith("deadline year") for p in reading.problems) and all(
        m.action is None or len(m.action) <= _MAX_ACTION for m in reading.milestones
    )


def find_deadline_sentence(body: str) -> str | None:
    """Return the last sentence of a task body that is a deadline (`11月末完成`), or None."""
    found = None
    for sentence in _SENTENCE_END.split(body):
        sentence = sentence.strip()
        if sentence and _is_deadline_sentence(sentence):
            found = sentence
    return found


_PLAN_YEAR = re.compile(r"((?:19|20)\d{2})年(?:是|度|工作要点|工作计划|工作重点|的?工作)")
_ANY_YEAR = re.compile(r"((?:19|20)\d{2})年")
_PREAMBLE = 600
_CN_YEAR = re.compile(r"[零〇一二三四五六七八九]{4}(?=年)")


def _digits_year(m: re.Match[str]) -> str:
    """Write a year such as 二〇二二 in digits."""
    return "".join(str(cn_int(ch)) for ch in m.group())


def find_plan_year(text: str) -> int | None:
    """Return the plan year named in the title or preamble (`2022年是…`), or None."""
    head = _CN_YEAR.sub(_digits_year, normalize(text[:4000]))
    found = _PLAN_YEAR.search(head) or _ANY_YEAR.search(head[:_PREAMBLE])
    return int(found.group(1)) if found else None

