"""Plain values the reports read and produce; no database, no chat library."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal, Protocol
from zoneinfo import ZoneInfo

from vocabulary import DEFAULT_TZ, Light

__all__ = ["Light"]
Category = Literal["done", "overdue", "blocked", "in_progress", "not_started"]

# DESIGN's order: a (task, unit) row counts once, in the first category that applies.
CATEGORIES: tuple[Category, ...] = ("done", "overdue", "blocked", "in_progress", "not_started")
CATEGORY_NAMES: dict[Category, str] = {
    "done": "已完成",
    "overdue": "逾期",
    "blocked": "遇到困难",
    "in_progress": "进行中",
    "not_started": "未启动",
}


class DueMilestone(Protocol):
    """A milestone of a row that is not done yet, as reports read it: what is to be done and
    its effective (extended) due date. The status layer's open milestones are read as they
    are (a digest of a big plan lists thousands), `OpenMilestone` where reports make one."""

    @property
    def action(self) -> str | None:
        """What is to be done (None: the task itself)."""
        ...

    @property
    def due(self) -> date | None:
        """The due date in force."""
        ...


@dataclass(frozen=True, slots=True)
class OpenMilestone:
    """A milestone of a row that is not done yet, with its effective (extended) due date."""

    action: str | None
    due: date | None
    kind: str = "deadline"


# A value, never assigned to; not frozen because a pass builds thousands (a frozen
# dataclass's __init__ costs about three times a plain one's: issue 13).
@dataclass(slots=True)
class ReportRow:
    """One (task, unit) row as of an instant: the status query's answer, in report terms."""

    task: str
    unit: str
    title: str
    role: str
    light: Light
    status: str | None
    note: str | None
    updated_at: datetime | None
    next_due: date | None
    entries: int
    open_milestones: tuple[DueMilestone, ...] = ()
    deadline_text: str = ""
    milestones_text: str = ""
    # Why the light is what it is, in words (`vocabulary.reason_words`), and the flags.
    reason: str | None = None
    unreported: bool = False
    silent_days: int | None = None
    awaiting: bool = False
    paused_until: date | None = None
    # Progress against the targets in words (`3/5家`), the share of the row's time elapsed
    # (序时进度), and whether the reported share trails it by more than the margin.
    progress: str = ""
    pace: float | None = None
    behind_pace: bool = False
    # The lowest share reported (a bare percent on a task without targets counts too).
    reported: float | None = None


@dataclass(frozen=True, slots=True)
class ExtensionItem:
    """A pending request to move a due date."""

    task: str
    unit: str
    date: date
    state: str
    title: str = ""
    action: str | None = None


@dataclass(frozen=True, slots=True)
class Counts:
    """How many rows fall in each category; each row is counted once."""

    rows: int = 0
    done: int = 0
    overdue: int = 0
    blocked: int = 0
    in_progress: int = 0
    not_started: int = 0

    def of(self, category: Category) -> int:
        """Return the count for one category."""
        value: int = getattr(self, category)
        return value


@dataclass(frozen=True, slots=True)
class UnitLine:
    """One unit's counts, its flags (未报, 待验收) and timeliness so far."""

    unit: str
    counts: Counts
    unreported: int = 0
    awaiting: int = 0
    on_time: int = 0
    late: int = 0
    not_reported: int = 0


@dataclass(frozen=True, slots=True)
class DueItem:
    """A milestone that is overdue or due soon."""

    task: str
    unit: str
    title: str
    due: date
    action: str | None
    blocked_note: str | None = None
    # The row's light, as /status shows it (a due-soon item is not 🟡 merely for being listed).
    light: Light | None = None


@dataclass(frozen=True, slots=True)
class BlockedItem:
    """A row whose latest report says it is blocked."""

    task: str
    unit: str
    title: str
    note: str | None
    at: datetime | None


@dataclass(frozen=True, slots=True)
class DoneItem:
    """A row finished during the week before the digest."""

    task: str
    unit: str
    title: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Digest:
    """The weekly digest for leadership, as of one instant."""

    week: str
    as_of: datetime
    totals: Counts
    units: tuple[UnitLine, ...]
    overdue: tuple[DueItem, ...]
    due_soon: tuple[DueItem, ...]
    blocked: tuple[BlockedItem, ...]
    extensions: tuple[ExtensionItem, ...]
    silent_units: tuple[str, ...]
    done_this_week: tuple[DoneItem, ...]
    categories: dict[tuple[str, str], Category] = field(default_factory=dict, compare=False)
    tz: ZoneInfo = field(default=DEFAULT_TZ, compare=False)
    # Rows flagged 未报 (prompted, no report for N workdays), and rows waiting for sign-off.
    unreported: tuple[ReportRow, ...] = ()
    awaiting: int = 0
    # Rows that reported progress against targets, and the open ones behind their pace.
    progress: tuple[ReportRow, ...] = ()
    behind_pace: tuple[ReportRow, ...] = ()
