"""Plain values that storage hands out; callers never see ORM rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from plan_data.model import Milestone, Owner, Target
from storage.milestones import MilestoneStatus
from vocabulary import LEADERSHIP, STATUSES, Light, Status

EntryStatus = Status
ENTRY_STATUSES = STATUSES
ExtensionState = Literal["pending", "approved", "rejected"]
OutboxKind = Literal[
    "prompt",
    "digest",
    "escalation",
    "alert",
    "extension_request",
    "extension_outcome",
    "notice",
    "signoff_review",
    "signoff_outcome",
]
ItemKind = Literal["reminder", "overdue", "checkin"]
# Channels that can only post into a chat (a WeCom group robot's webhook), never ask.
POSTING_CHANNELS = frozenset({"wecom_robot"})
Verdict = Literal["pass", "return", "withdraw"]
QuestionKind = Literal["note", "help", "date", "evidence", "pick", "reason"]

__all__ = ["LEADERSHIP", "Light"]


@dataclass(frozen=True, slots=True)
class MilestoneRecord(Milestone):
    """A plan milestone as stored: with its row id, its task's row and its position."""

    id: int
    task_row: int
    position: int


@dataclass(frozen=True, slots=True)
class TargetRecord:
    """A task's target as stored: its row id, its place among the task's targets."""

    id: int
    task_row: int
    position: int
    target: Target


@dataclass(frozen=True, slots=True)
class TaskRecord:
    """A current (or archived) task of the ledger's plan."""

    row: int
    id: str
    chapter: str
    title: str
    body: str
    deadline_text: str
    owners: tuple[Owner, ...]
    milestones: tuple[MilestoneRecord, ...]
    archived_at: datetime | None = None
    targets: tuple[TargetRecord, ...] = ()

    @property
    def units(self) -> tuple[str, ...]:
        """Return the owning units' names."""
        return tuple(owner.unit for owner in self.owners)


@dataclass(frozen=True, slots=True)
class PlanRecord:
    """The plan the ledger follows, as of its latest import."""

    id: int
    version_id: int
    file_name: str
    year: int
    title: str
    content_hash: str
    imported_at: datetime
    units: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import changed."""

    plan: PlanRecord
    changed: bool
    added: tuple[str, ...] = ()
    archived: tuple[str, ...] = ()
    kept: int = 0


@dataclass(frozen=True, slots=True)
class EvidenceRecord:
    """A file attached to a progress entry: the chat's reference, and the file as kept."""

    id: int
    entry_id: int
    file_id: str
    kind: str
    created_at: datetime
    # The kept file (core.evidence): None for a file known only by its chat reference.
    sha256: str | None = None
    file_name: str | None = None
    mime_type: str | None = None
    size: int | None = None


@dataclass(frozen=True, slots=True)
class ReadingDraft:
    """Progress a report gives against a target (None: a share of the whole task)."""

    target_id: int | None
    value: float
    share: float
    text: str


@dataclass(frozen=True, slots=True)
class EventDraft:
    """A report that a milestone's event happened on a day, and the due date that gives."""

    milestone_id: int
    event_day: date
    due: date
    # The event as the plan words it (not stored with the report: the milestone has it).
    event: str = ""


@dataclass(frozen=True, slots=True)
class TargetProgress:
    """The latest progress against one target (or the whole task) of a (task, unit)."""

    target_id: int | None
    what: str
    unit: str
    # The target's value; None for a share of the whole task (a bare percent).
    target: float | None
    value: float
    share: float
    text: str = ""


@dataclass(frozen=True, slots=True)
class EntryDraft:
    """A progress entry to record (task by its plan id such as "2.3")."""

    task_id: str
    unit: str
    status: EntryStatus
    reporter: str
    # Where it came from: a channel's name ("telegram", "wecom"), "cli" or "simulate".
    source: str
    note: str | None = None
    percent: int | None = None
    proposed_date: date | None = None
    milestone_id: int | None = None
    reporter_chat_id: int | None = None
    # The channel's id of the update that carried it (`telegram:123`): recorded once.
    source_key: str | None = None
    # What the core read in it: progress against targets, and an event that happened.
    readings: tuple[ReadingDraft, ...] = ()
    event: EventDraft | None = None


@dataclass(frozen=True, slots=True)
class EntryRecord:
    """One recorded progress entry; entries are never edited."""

    id: int
    task_row: int
    task_id: str
    unit: str
    milestone_id: int | None
    status: EntryStatus
    note: str | None
    percent: int | None
    proposed_date: date | None
    reporter: str
    reporter_chat_id: int | None
    created_at: datetime
    source: str
    source_key: str | None
    evidence: tuple[EvidenceRecord, ...] = ()
    readings: tuple[TargetProgress, ...] = ()
    events: tuple[EventDraft, ...] = ()


@dataclass(frozen=True, slots=True)
class BindingRecord:
    """What a chat is bound to: a unit, or the leadership (unit is None)."""

    chat_id: int
    title: str | None
    unit: str | None
    bound_at: datetime
    channel: str = "telegram"
    address: str = ""
    # Leadership only: 1 分管领导 (reviews, requests, first escalations), 2 主要领导.
    level: int = 1

    @property
    def is_leadership(self) -> bool:
        """Return whether the chat is the leadership's."""
        return self.unit is None

    @property
    def recipient(self) -> str:
        """Return the unit name, or "leadership"."""
        return self.unit if self.unit is not None else LEADERSHIP

    @property
    def posts_only(self) -> bool:
        """Return whether the chat only takes posts (a group robot): no questions, no cards."""
        return self.channel in POSTING_CHANNELS


@dataclass(frozen=True, slots=True)
class InviteRecord:
    """A freshly made invite; `code` is shown once and only its hash is stored."""

    code: str
    unit: str | None
    created_at: datetime
    expires_at: datetime
    level: int = 1


@dataclass(frozen=True, slots=True)
class ExtensionRecord:
    """A request to move a milestone's due date, and its decision."""

    id: int
    entry_id: int
    task_row: int
    task_id: str
    unit: str
    milestone_id: int | None
    old_date: date | None
    new_date: date
    reason: str | None
    requested_at: datetime
    state: ExtensionState
    decided_by: str | None
    decided_at: datetime | None


# A value, never assigned to; not frozen because a pass builds thousands (a frozen
# dataclass's __init__ costs about three times a plain one's: issue 13).
@dataclass(slots=True)
class OutboxItemDraft:
    """One item a message is about: (task, unit, milestone) and why."""

    task_row: int
    unit: str
    item_kind: ItemKind
    milestone_id: int | None = None
    point_date: date | None = None


@dataclass(frozen=True, slots=True)
class OutboxDraft:
    """A message to send later, once; `dedupe_key` makes enqueueing idempotent."""

    dedupe_key: str
    chat_id: int
    recipient: str
    kind: OutboxKind
    payload: dict[str, Any]
    not_before: datetime
    items: tuple[OutboxItemDraft, ...] = ()


@dataclass(frozen=True, slots=True)
class OutboxItemRecord:
    """A stored outbox item."""

    id: int
    outbox_id: int
    task_row: int
    task_id: str
    unit: str
    milestone_id: int | None
    item_kind: str
    point_date: date | None


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """A stored outbox message and its delivery state."""

    id: int
    dedupe_key: str
    chat_id: int
    recipient: str
    kind: str
    payload: dict[str, Any]
    not_before: datetime
    created_at: datetime
    attempts: int
    next_attempt_at: datetime | None
    sent_at: datetime | None
    message_ref: str | None
    failed_at: datetime | None
    last_error: str | None
    parts_sent: int = 0


@dataclass(frozen=True, slots=True)
class OpenMilestone:
    """A deadline milestone not yet done, with its effective (possibly extended) due date."""

    milestone_id: int
    action: str | None
    planned_due: date
    due: date


@dataclass(frozen=True, slots=True)
class Pace:
    """序时进度: the share of a row's span already elapsed against the lowest share reported.

    The span runs from the plan year's start (an event-triggered deadline: its event day; a
    period: its start) to the due date of the row's last open deadline (or period).
    """

    expected: float
    reported: float
    behind: bool
    start: date
    due: date


ReasonKind = Literal["overdue", "due_soon", "blocked", "behind_pace", "awaiting"]
SignoffState = Literal["awaiting", "signed"]


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a row has its light, as facts (`vocabulary.reason_words` says it in Chinese)."""

    kind: ReasonKind
    due: date | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class PauseInfo:
    """A unit's prompts held until a day (inclusive), and why."""

    until: date
    reason: str | None
    since: date | None = None


# A value, never assigned to; not frozen because a pass builds thousands (a frozen
# dataclass's __init__ costs about three times a plain one's: issue 13).
@dataclass(slots=True)
class StatusRow:
    """The state of one (task, unit) pair as of an instant."""

    task_row: int
    task_id: str
    unit: str
    title: str
    role: str
    light: Light
    status: EntryStatus | None
    note: str | None
    percent: int | None
    updated_at: datetime | None
    next_due: date | None
    entries: int
    chapter: str = ""
    open_milestones: tuple[OpenMilestone, ...] = field(default=())
    # Why the light is what it is; None when nothing calls for attention.
    reason: Reason | None = None
    # Facts beside the light: "unreported" (未报: prompted, no report for N workdays).
    flags: tuple[str, ...] = ()
    # Days without a report (when flagged unreported).
    silent_days: int | None = None
    paused: PauseInfo | None = None
    # Sign-off: "awaiting" when a milestone waits for leadership (待验收), "signed" when
    # every deadline is signed off (办结).
    signoff: SignoffState | None = None
    # The latest progress against each target (or the whole task), and the pace it keeps.
    progress: tuple[TargetProgress, ...] = ()
    pace: Pace | None = None
    # Events that open milestones still wait for (待触发).
    waiting: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class QuestionRecord:
    """A question the bot asked a person in a chat; open until answered or expired."""

    id: int
    chat_id: int
    person: str
    kind: QuestionKind
    task_row: int | None
    task_id: str | None
    unit: str | None
    milestone_id: int | None
    outbox_item_id: int | None
    entry_id: int | None
    text: str | None
    question_ref: str | None
    prompt_ref: str | None
    asked_at: datetime
    expires_at: datetime
    closed_at: datetime | None


@dataclass(frozen=True, slots=True)
class LastEntry:
    """The latest progress entry of a (task, unit) pair."""

    status: str
    note: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class EvidenceFile:
    """A file sent as evidence: its original name (None for a photo without one), its kind."""

    name: str | None
    kind: str


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """A 已完成 waiting for sign-off as leadership reviews it: the round's latest report (a
    step is about it), the milestones it closes, its note, when the round began, and every
    file sent as evidence in the round (since the last 退回 or 撤回)."""

    entry: EntryRecord
    milestones: tuple[MilestoneStatus, ...]
    note: str | None
    first_at: datetime
    evidence: tuple[EvidenceFile, ...]

    @property
    def title(self) -> str:
        """Return the task's title."""
        return self.milestones[0].title
