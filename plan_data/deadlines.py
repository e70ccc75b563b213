"""Read a plan's deadline text (完成时限) into milestones, flagging what it cannot read.

A text is split into steps (`；`, `。`, `①…②…`) and each step into clauses (`，`). A clause
is a deadline that waits for an event (`印发之日起20个工作日内`), a recurring deadline
(`每月28日前`), a date or a window (`6月底前完成协议签署`, `下半年`), or ongoing work
(`持续推进`). A clause naming no time, right after one naming no action, is that action
(`12月，召开全区民政工作会议`); inside a numbered step every such clause is.

The same reader, in prose mode, finds the deadlines written in a task's body when the task
has no deadline label: clauses that open with a time, short sentences such as `长年实施`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from plan_data.chinese_dates import (
    NUM,
    PARTS,
    WEEKDAYS,
    TimeExpr,
    cn_int,
    match_time,
    month_end,
    normalize,
)
from plan_data.model import Milestone, MilestoneKind, OffsetUnit

DEFAULT_PROBLEM = "no deadline: due Dec 31 by default"
FALLBACK = "due Dec 31 by default"

# Steps: sentences, and the numbered parts of a schedule (`①1-3月份…②4-6月份…`). The markers
# are cut before NFKC, which would turn ① into a plain 1 and glue it to the month.
_STEP_SPLIT = re.compile(r"[；;。！？!?\n．]|\.(?!\d)")
_STEP_MARK = re.compile(r"([①-⑳⑴-⒇❶-❿]|第[一二三四五六七八九十]+(?:阶段|步)[:：]?)")
_CLAUSE_SPLIT = re.compile(r"[，,]")

# Words before a time expression that add nothing to the date: 力争5月末完成, 计划于6月底前.
_LEAD = re.compile(
    r"^(?:力争|争取|确保|预计|计划|原则上|最迟|务必|必须|须|并于|于|在|截至|截止|到)+"
)
# Words right after a time expression that only say "by": 6月底前完成.
_BY = re.compile(r"^(?:以前|之前|以内|为止|前|内|止)")
# Words after a month that make it a start: 3月起实施.
_FROM_ON = re.compile(r"^(?:起|开始|以后)")
_ONGOING_PREFIXES = ("常态化", "持续", "长期", "长年", "常年", "经常性")
# An ongoing clause made only of these adds no action: 持续推进, 长期坚持.
_FILLER = {"", "推进", "开展", "坚持", "实施", "落实", "进行", "抓好", "化"}
_EMPTY_ACTIONS = {"", "完成", "完成任务", "全部完成", "办结"}
_FREQUENCY = re.compile(r"^(?:至少|不少于)?[一1]次")

# A clause that only says from when a series runs: 从第二季度起, 自4月份开始.
_FROM = re.compile(
    rf"^(?:从|自)(?P<when>第?[一二三四1-4]季度|(?P<m>{NUM})月份?|下半年)(?:起|开始)?"
)
_EVERY_YEAR = r"^(?:全年|年内)?"
_MONTHLY = re.compile(
    rf"{_EVERY_YEAR}(?:每个?月份?|按月)"
    rf"(?:(?P<d>{NUM})[日号]|(?P<part>上旬|中旬|下旬|初|中|底|末))?"
)
_QUARTERLY = re.compile(
    rf"{_EVERY_YEAR}(?:每个?季度?|按季度?)"
    rf"(?:第(?P<qm>[一二三1-3])个?月|(?P<first>首月|初)|(?P<last>末月|末|底|最后一个月))?"
    rf"(?:(?P<d>{NUM})[日号])?"
)
_HALF_YEARLY = re.compile(rf"{_EVERY_YEAR}(?:每半年|按半年)(?:末|底)?")
_WEEKLY = re.compile(
    rf"{_EVERY_YEAR}(?:每个?(?:周|星期|礼拜)|按周)(?P<wd>[一二三四五六日天1-7](?!次))?"
)
# `每季度结束后10日内`: each occurrence a fixed number of days after its period ends.
_AFTER_END = re.compile(
    rf"^(?:结束)?后(?P<n>\d{{1,3}}|{NUM})个?(?P<unit>工作日|日|天)(?:内|以内)?"
)
_INTERVALS = {"month": 30, "quarter": 91, "half": 182, "week": 7}

# Deadlines that wait for an event: 印发之日起20个工作日内, 批复后一个月内, 待场地移交后开始.
_EVENT = re.compile(
    rf"^(?:自|从|在|于)?(?P<event>(?![每按])[^，,；;]{{1,30}}?)(?:之日起|之日后|之日|之后|以后|后|起)"
    rf"(?P<n>\d{{1,3}}|{NUM})个?(?P<unit>工作日|自然日|日|天|周|星期|月)(?:内|以内|之内|前)?"
)
_OFFSET_UNITS: dict[str, OffsetUnit] = {"工作日": "workdays", "月": "months"}
_WAIT = re.compile(r"^待(?P<event>.{1,30}?)(?:之后|以后|后)")
# In running text an event must read like one (a document issued, a step done).
_EVENT_WORD = re.compile(
    r"(?:印发|出台|下发|发布|公布|批复|批准|审定|审批|签订|签署|完成|通过|验收|到位|确定"
    r"|启动|交付|开工|竣工|移交|成立|召开|部署|生效|施行)$"
)

_MAX_CLAUSE = 60
_MAX_ACTION = 24


@dataclass(frozen=True)
class DeadlineReading:
    """Milestones read from a deadline text, and what could not be read (English)."""

    milestones: tuple[Milestone, ...]
    problems: tuple[str, ...]
    unread: tuple[str, ...] = ()  # the phrases it could not read, as written


@dataclass(frozen=True)
class _Step:
    mark: str
    clauses: tuple[str, ...]


@dataclass
class _Open:
    """What one clause read, still able to take its action from the clauses after it."""

    milestones: list[Milestone]
    labels: list[str]  # per milestone: which occurrence of a series (`3月`), else ""
    needs_action: bool
    parts: list[str] = field(default_factory=list)

    def take(self, clause: str) -> None:
        """Take a clause naming no time as (more of) this reading's action."""
        self.parts.append(_action(clause) or clause)

    def finish(self) -> list[Milestone]:
        """Return the milestones with any action taken from later clauses."""
        if not self.parts:
            return self.milestones
        more = "，".join(self.parts)
        return [
            replace(m, action=label + more if self.needs_action else f"{m.action}，{more}")
            for m, label in zip(self.milestones, self.labels, strict=True)
        ]


def _action(rest: str) -> str | None:
    rest = _BY.sub("", rest)
    rest = _LEAD.sub("", rest)
    return None if rest in _EMPTY_ACTIONS else rest


def _steps(text: str) -> list[_Step]:
    steps = []
    for sentence in _STEP_SPLIT.split(text):
        pieces = _STEP_MARK.split(sentence)
        steps.append(_Step("", tuple(_CLAUSE_SPLIT.split(pieces[0]))))
        for mark, piece in zip(pieces[1::2], pieces[2::2], strict=True):
            steps.append(_Step(mark, tuple(_CLAUSE_SPLIT.split(piece))))
    return steps


def _occurrences(
    clause: str, year: int, start_from: date | None
) -> tuple[list[tuple[str, date]], str, int, str] | None:
    """Return (label, due) per occurrence of a recurring clause, its series, interval, rest."""
    from_match = _FROM.match(clause)
    if from_match:
        start_from = _from_date(from_match, year)
        clause = clause[from_match.end():]
        if start_from is None:
            return None
    found: list[tuple[str, date]]
    monthly = _MONTHLY.match(clause)
    quarterly = None if monthly else _QUARTERLY.match(clause)
    half = None if monthly or quarterly else _HALF_YEARLY.match(clause)
    weekly = None if monthly or quarterly or half else _WEEKLY.match(clause)
    if monthly:
        match, interval = monthly, "month"
        day = cn_int(monthly["d"]) if monthly["d"] else PARTS.get(monthly["part"] or "")
        if monthly["d"] and (day is None or not 1 <= day <= 31):
            return None
        ends = [(f"{m}月", date(year, m, month_end(year, m))) for m in range(1, 13)]
        found = [
            (label, end.replace(day=min(day or end.day, end.day))) for label, end in ends
        ]
    elif quarterly:
        match, interval = quarterly, "quarter"
        if quarterly["qm"]:
            step = (cn_int(quarterly["qm"]) or 1) - 1
        else:
            step = 0 if quarterly["first"] else 2
        day = cn_int(quarterly["d"]) if quarterly["d"] else None
        if quarterly["d"] and (day is None or not 1 <= day <= 31):
            return None
        found = []
        for q in range(1, 5):
            month = 3 * q - 3 + step + 1
            last = month_end(year, month)
            found.append((f"第{q}季度", date(year, month, min(day or last, last))))
        ends = [(f"第{q}季度", date(year, 3 * q, month_end(year, 3 * q))) for q in range(1, 5)]
    elif half:
        match, interval = half, "half"
        found = [("上半年", date(year, 6, 30)), ("下半年", date(year, 12, 31))]
        ends = found
    elif weekly:
        match, interval = weekly, "week"
        weekday = _weekday(weekly["wd"]) if weekly["wd"] else 4  # a week's work ends Friday
        first = date(year, 1, 1)
        due = first + timedelta(days=(weekday - first.weekday()) % 7)
        found = []
        while due.year == year:
            found.append((f"第{len(found) + 1}周", due))
            due += timedelta(days=7)
        ends = found
    else:
        return None
    rest = clause[match.end():]
    after_end = _AFTER_END.match(rest)
    if after_end:
        # 每季度结束后10日内: counted from each period's end; workdays need the calendar.
        n = cn_int(after_end["n"])
        if n is None or after_end["unit"] == "工作日" or interval == "week":
            return None
        # The fourth quarter's report falls due in January: still this plan's occurrence.
        found = [(label, end + timedelta(days=n)) for label, end in ends]
        rest = rest[after_end.end():]
    by = _BY.match(rest)
    series_end = len(clause) - len(rest) + (by.end() if by else 0)
    series = (from_match.group() if from_match else "") + clause[:series_end]
    if start_from is not None:
        found = [(label, due) for label, due in found if due >= start_from]
    return found, series, _INTERVALS[interval], rest


def _from_date(match: re.Match[str], year: int) -> date | None:
    when = match["when"]
    if when == "下半年":
        return date(year, 7, 1)
    if match["m"]:
        month = cn_int(match["m"])
        return date(year, month, 1) if month and 1 <= month <= 12 else None
    quarter = cn_int(when.removeprefix("第").removesuffix("季度"))
    return date(year, 3 * quarter - 2, 1) if quarter else None


def _weekday(text: str) -> int:
    return int(text) - 1 if text.isdigit() else WEEKDAYS[text]


class _Reader:
    """Walk the steps and clauses of a deadline text (or, in prose mode, a task's body)."""

    def __init__(self, year: int, *, prose: bool) -> None:
        self.year = year
        self.prose = prose
        self.milestones: list[Milestone] = []
        self.problems: list[str] = []
        self.unread: list[str] = []
        self.used: list[str] = []
        self.last_month: int | None = None
        self.start_from: date | None = None

    def step(self, step: _Step) -> None:
        """Read one step: its clauses, each a reading or the action of the one before."""
        clauses = [(raw.strip(), normalize(raw)) for raw in step.clauses]
        clauses = [(raw, clause) for raw, clause in clauses if clause]
        current: _Open | None = None
        used: list[str] = []
        for raw, clause in clauses:
            reading = self.clause(clause, alone=len(clauses) == 1)
            if reading is not None:
                self._finish(current)
                current = reading
                used.append(raw)
            elif (
                current is not None
                and ((current.needs_action and not current.parts) or step.mark)
                and (not self.prose or len(clause) <= _MAX_ACTION)
            ):
                current.take(clause)
                used.append(raw)
            else:
                self._finish(current)
                current = None
                if not self.prose:
                    self.unread.append(raw)
        self._finish(current)
        if used:
            self.used.append(step.mark + "，".join(used))

    def _finish(self, reading: _Open | None) -> None:
        if reading is not None:
            self.milestones.extend(reading.finish())

    def clause(self, clause: str, *, alone: bool) -> _Open | None:
        """Read one normalized clause, or return None if it names no time."""
        if self.prose and len(clause) > _MAX_CLAUSE:
            return None
        from_match = _FROM.fullmatch(clause)
        if from_match:
            self.start_from = _from_date(from_match, self.year)
            return _Open([], [], needs_action=False)
        return (
            self._recurring(clause)
            or self._event(clause)
            or self._timed(self._with_month(clause))
            or self._ongoing(clause, alone=alone)
        )

    def _event(self, clause: str) -> _Open | None:
        found = _EVENT.match(clause)
        offset: int | None = None
        unit: OffsetUnit | None = None
        if found:
            n = cn_int(found["n"])
            if n is None or match_time(found["event"]) is not None:
                return None
            unit = _OFFSET_UNITS.get(found["unit"], "days")
            offset = n * 7 if found["unit"] in ("周", "星期") else n
        else:
            found = _WAIT.match(clause)
            if found is None:
                return None
        event = found["event"]
        if self.prose and not _EVENT_WORD.search(event):
            return None
        action = _action(clause[found.end():])
        milestone = Milestone(
            "event", action, None, None, event=event, offset=offset, offset_unit=unit
        )
        return _Open([milestone], [""], needs_action=action is None)

    def _recurring(self, clause: str) -> _Open | None:
        read = _occurrences(clause, self.year, self.start_from)
        if read is None:
            return None
        found, series, interval, rest = read
        self.start_from = None
        rest = _FREQUENCY.sub("", _BY.sub("", rest))
        action = _action(rest)
        if self.prose and action is not None and len(action) > _MAX_ACTION:
            return None
        milestones = [
            Milestone("deadline", label + (action or ""), None, due, series=series,
                      interval_days=interval)
            for label, due in found
        ]
        return _Open(milestones, [label for label, _ in found], needs_action=action is None)

    def _with_month(self, clause: str) -> str:
        """Give `中旬开工` (or `20日前`) the month of the clause before, when there is one."""
        if self.last_month is None:
            return clause
        if clause.startswith(("上旬", "中旬", "下旬", "月底", "月末", "月中")):
            return f"{self.last_month}{'' if clause[0] == '月' else '月'}{clause}"
        if re.match(rf"^{NUM}[日号]", clause):
            return f"{self.last_month}月{clause}"
        return clause

    def _timed(self, clause: str) -> _Open | None:
        found = match_time(clause)
        if found is None:
            lead = _LEAD.match(clause)
            found = match_time(clause[lead.end():]) if lead else None
            if lead is None or found is None:
                return None
            clause = clause[lead.end():]
        expr, rest = found.expr, clause[found.end:]
        if self.prose and expr.kind == "full_year":
            return None  # 全年 opens ordinary prose too often to count on its own
        starts = expr.kind == "calendar" and _FROM_ON.match(rest) is not None
        if starts:
            rest = _FROM_ON.sub("", rest)
        action = _action(rest)
        if self.prose and action is not None and len(action) > _MAX_ACTION:
            return None
        try:
            start, end = expr.start(self.year), expr.end(self.year)
            if starts:
                start = date(end.year, expr.month, 1)
                end = date(end.year, 12, 31)
        except ValueError:
            return None  # e.g. 2月29日 in a year that has none
        if not self.prose:
            self._check(expr, end, clause)
        if expr.kind == "calendar":
            self.last_month = expr.month
        kind: MilestoneKind = "period" if expr.is_period or starts else "deadline"
        milestone = Milestone(kind, action, start, end)
        return _Open([milestone], [""], needs_action=action is None)

    def _check(self, expr: TimeExpr, end: date, written: str) -> None:
        if expr.year is not None and expr.year != self.year:
            self.problems.append(
                f'deadline year {expr.year} is not the plan year {self.year}: "{written}"'
            )
        if expr.weekday is not None and end.weekday() != expr.weekday:
            names = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
                     "Sunday"]
            self.problems.append(
                f'deadline "{written}": {end.isoformat()} is a {names[end.weekday()]}, '
                f"not a {names[expr.weekday]}"
            )

    def _ongoing(self, clause: str, *, alone: bool) -> _Open | None:
        for prefix in _ONGOING_PREFIXES:
            if clause.startswith(prefix):
                rest = clause[len(prefix):]
                action = None if rest in _FILLER else clause
                if self.prose and (action is not None or not alone):
                    return None  # 持续推进 as a verb of prose is no deadline
                milestone = Milestone("ongoing", action, date(self.year, 1, 1), None)
                return _Open([milestone], [""], needs_action=action is None)
        return None


def read_deadline(text: str, year: int) -> DeadlineReading:
    """Read a deadline text into milestones for the plan year; keep unreadable clauses."""
    reader = _Reader(year, prose=False)
    for step in _steps(text):
        reader.step(step)
    milestones, problems = reader.milestones, reader.problems
    unread = [f'"{raw}"' for raw in reader.unread]
    if milestones:
        problems.extend(f"unreadable deadline: {raw}" for raw in unread)
    else:
        milestones.append(Milestone("deadline", None, None, date(year, 12, 31)))
        # Said once: the phrases it could not read and that the task falls back to Dec 31.
        problems.append(
            f"unreadable deadline: {', '.join(unread)}; {FALLBACK}" if unread else DEFAULT_PROBLEM
        )
    return DeadlineReading(tuple(milestones), tuple(problems), tuple(reader.unread))


def find_body_deadline(body: str) -> str | None:
    """Return the deadlines written in a task's body (`…制度。长年实施。`), or None.

    Only clauses opening with a time (`力争4月末完成图纸设计`), deadlines waiting for an event,
    and short sentences of ongoing work count; `持续推进…` inside prose does not.
    """
    reader = _Reader(2000, prose=True)  # a leap year: every written day is a real one
    for step in _steps(body):
        reader.step(step)
    return "；".join(reader.used) or None


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
