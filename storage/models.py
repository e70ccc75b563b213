"""Typed SQLAlchemy models of the ledger; only `storage/` uses them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every dialect (SQLite keeps naive UTC text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Refuse naive datetimes and store UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the ledger")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Return an aware UTC datetime."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    """The ledger's declarative base."""

    metadata = MetaData(naming_convention=NAMING)


class PlanRow(Base):
    __tablename__ = "plans"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class PlanVersionRow(Base):
    __tablename__ = "plan_versions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    file_name: Mapped[str] = mapped_column(Text)
    year: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime)


class UnitRow(Base):
    __tablename__ = "units"
    __table_args__ = (UniqueConstraint("plan_id", "name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    name: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer)
    archived_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class UnitAliasRow(Base):
    __tablename__ = "unit_aliases"
    __table_args__ = (UniqueConstraint("unit_id", "alias"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    alias: Mapped[str] = mapped_column(String(100))


class TaskRow(Base):
    __tablename__ = "tasks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    task_id: Mapped[str] = mapped_column(String(32))
    position: Mapped[int] = mapped_column(Integer)
    chapter: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    deadline_text: Mapped[str] = mapped_column(Text)
    archived_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class TaskOwnerRow(Base):
    __tablename__ = "task_owners"
    __table_args__ = (
        UniqueConstraint("task_id", "unit_id"),
        Index("ix_task_owners_unit", "unit_id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    role: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(Integer)


class MilestoneRow(Base):
    __tablename__ = "milestones"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    action: Mapped[str | None] = mapped_column(Text, nullable=True)
    start: Mapped[date | None] = mapped_column(Date, nullable=True)
    end: Mapped[date | None] = mapped_column(Date, nullable=True)
    archived_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # A recurring deadline's series (`每月28日前`) and the nominal days between occurrences.
    series: Mapped[str | None] = mapped_column(Text, nullable=True)
    interval_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # A deadline that waits for its event (`印发之日起20个工作日内`): the event, and how long
    # after it the milestone falls due (its due date is a MilestoneEventRow's).
    event: Mapped[str | None] = mapped_column(Text, nullable=True)
    offset: Mapped[int | None] = mapped_column("event_offset", Integer, nullable=True)
    offset_unit: Mapped[str | None] = mapped_column("event_offset_unit", String(16), nullable=True)


class TargetRow(Base):
    """A quantitative target read from a task's text (`新建老年日照中心4个`)."""

    __tablename__ = "task_targets"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(16))
    what: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    archived_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class ChatRow(Base):
    __tablename__ = "chats"
    __table_args__ = (UniqueConstraint("channel", "address", name="uq_chats_channel"),)
    # The key every other table uses: a Telegram chat's own id, or one allocated above any
    # Telegram id for other channels (storage.chats).
    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    channel: Mapped[str] = mapped_column(String(16), server_default="telegram")
    address: Mapped[str] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class BindingRow(Base):
    __tablename__ = "bindings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(ForeignKey("chats.chat_id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), nullable=True)
    leadership: Mapped[bool] = mapped_column(default=False)
    # Leadership only: 1 分管领导 (digest, requests, reviews, first escalations), 2 主要领导.
    level: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    bound_at: Mapped[datetime] = mapped_column(UtcDateTime)
    unbound_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class InviteRow(Base):
    __tablename__ = "invite_codes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), nullable=True)
    leadership: Mapped[bool] = mapped_column(default=False)
    level: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    used_by_chat: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class EntryRow(Base):
    __tablename__ = "progress_entries"
    __table_args__ = (
        # Status queries: entries of one unit (and task) up to an instant, newest last.
        Index("ix_entries_unit_task_time", "unit_id", "task_id", "created_at", "id"),
        # "Is this milestone done?" probes, and the latest 已完成 per milestone of every pair
        # (status first: a board reads only the done entries, not the whole ledger).
        Index(
            "ix_entries_by_status",
            "status",
            "unit_id",
            "task_id",
            "milestone_id",
            "created_at",
            "id",
        ),
        # Entries in a time window (the blocked reports a pass alerts on, an export).
        Index("ix_entries_time", "created_at"),
        # The head of a (task, unit) hash chain: its entry with the highest id.
        Index("ix_entries_chain", "task_id", "unit_id", "id"),
        # One successor per entry: two writers can never fork a chain.
        Index("ix_entries_chain_link", "task_id", "unit_id", "prev_hash", unique=True),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    milestone_id: Mapped[int | None] = mapped_column(ForeignKey("milestones.id"), nullable=True)
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    percent: Mapped[int | None] = mapped_column(Integer, nullable=True)
    proposed_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    reporter: Mapped[str] = mapped_column(Text)
    reporter_chat_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    source: Mapped[str] = mapped_column(String(16))
    # `telegram:<update id>`, `wecom:<msg id>`…: one update is recorded once.
    source_key: Mapped[str | None] = mapped_column(String(120), nullable=True, unique=True)
    # The hash chain of the (task, unit) pair (storage/chain.py).
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class EvidenceRow(Base):
    __tablename__ = "evidence"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("progress_entries.id"), index=True)
    file_id: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # The file as the bureau keeps it (core.evidence): its hash, original name, type, size.
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    file_name: Mapped[str | None] = mapped_column(Text, nullable=True)
    mime_type: Mapped[str | None] = mapped_column(String(100), nullable=True)
    size: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class ReadingRow(Base):
    """Progress against a task's target that a report gave (`已建成3家` → 3 of 5).

    Append-only; anchored on its entry's hash (storage/chain.py). A reading without a target
    is a share of the whole task (`60%` on a task with several targets, or none).
    """

    __tablename__ = "progress_readings"
    __table_args__ = (Index("ix_readings_pair", "task_id", "unit_id", "created_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("progress_entries.id"), index=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    target_id: Mapped[int | None] = mapped_column(ForeignKey("task_targets.id"), nullable=True)
    value: Mapped[float] = mapped_column(Float)
    share: Mapped[float] = mapped_column(Float)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    hash: Mapped[str] = mapped_column(String(64))


class MilestoneEventRow(Base):
    """A unit's report that the event a milestone waits for happened, and the due date it
    gives (computed when reported, on the office's calendar). Append-only; the latest wins;
    anchored on its entry's hash."""

    __tablename__ = "milestone_events"
    __table_args__ = (Index("ix_milestone_events_milestone", "milestone_id", "created_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("progress_entries.id"), index=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    milestone_id: Mapped[int] = mapped_column(ForeignKey("milestones.id"))
    event_day: Mapped[date] = mapped_column(Date)
    due: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    hash: Mapped[str] = mapped_column(String(64))


class SignoffRow(Base):
    """A step of leadership's sign-off (销号) of a milestone a unit reported done: passed,
    returned with a reason, or withdrawn by the unit. Append-only; the state is derived."""

    __tablename__ = "signoffs"
    __table_args__ = (Index("ix_signoffs_pair", "task_id", "unit_id", "milestone_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    milestone_id: Mapped[int | None] = mapped_column(ForeignKey("milestones.id"), nullable=True)
    # The 已完成 entry this step is about.
    entry_id: Mapped[int] = mapped_column(ForeignKey("progress_entries.id"))
    verdict: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    by: Mapped[str] = mapped_column(Text)
    by_chat_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class PauseRow(Base):
    """A unit's prompts and overdue counting held (or released early). Append-only."""

    __tablename__ = "pauses"
    __table_args__ = (Index("ix_pauses_unit", "unit_id", "at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    # "pause" (from, until, reason) or "resume" (ends every pause of the unit from `from_day`).
    kind: Mapped[str] = mapped_column(String(16))
    from_day: Mapped[date] = mapped_column(Date)
    until_day: Mapped[date | None] = mapped_column(Date, nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    by: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class ExtensionRow(Base):
    """A request to move a due date; never updated (its decision is an ExtensionDecisionRow)."""

    __tablename__ = "extension_requests"
    __table_args__ = (Index("ix_extensions_task_unit", "task_id", "unit_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("progress_entries.id"), unique=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    milestone_id: Mapped[int | None] = mapped_column(ForeignKey("milestones.id"), nullable=True)
    old_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    new_date: Mapped[date] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # Anchored on the hash of its entry (storage/chain.py).
    hash: Mapped[str] = mapped_column(String(64))


class ExtensionDecisionRow(Base):
    """Leadership's one decision on an extension request; a request without one is pending."""

    __tablename__ = "extension_decisions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("extension_requests.id"), unique=True)
    approve: Mapped[bool] = mapped_column()
    decided_by: Mapped[str] = mapped_column(Text)
    decided_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # Anchored on the hash of its request (storage/chain.py).
    hash: Mapped[str] = mapped_column(String(64))


class OutboxRow(Base):
    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "sent_at", "failed_at", "next_attempt_at"),
        # What was queued since a day: this year's prompts, not every year's.
        Index("ix_outbox_created", "created_at"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    recipient: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    not_before: Mapped[datetime] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    message_ref: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # Parts of a long message (split text, several cards) already delivered.
    parts_sent: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    failed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Which claim holds the row (its lease ends at next_attempt_at); None once settled.
    claim_token: Mapped[str | None] = mapped_column(String(40), nullable=True)


class OutboxItemRow(Base):
    """What one outbox message carried: a task's milestone for a unit, and its point.

    Written once, in the transaction that inserted its message and read its task, unit and
    milestone; none of those is ever deleted, so the item's references are not checked row
    by row (a foreign key's lookup per item was most of a busy day's insert: migration 0009).
    """

    __tablename__ = "outbox_items"
    # A pair's prompts by day: the first one after its latest report (未报) is one probe.
    __table_args__ = (Index("ix_outbox_items_pair_day", "task_id", "unit_id", "point_date"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    outbox_id: Mapped[int] = mapped_column(Integer, index=True)
    task_id: Mapped[int] = mapped_column(Integer)
    unit_id: Mapped[int] = mapped_column(Integer)
    milestone_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    item_kind: Mapped[str] = mapped_column(String(16))
    point_date: Mapped[date | None] = mapped_column(Date, nullable=True)


class PendingQuestionRow(Base):
    __tablename__ = "pending_questions"
    __table_args__ = (Index("ix_pending_questions_open", "chat_id", "person", "closed_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(ForeignKey("chats.chat_id"))
    person: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id"), nullable=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), nullable=True)
    milestone_id: Mapped[int | None] = mapped_column(ForeignKey("milestones.id"), nullable=True)
    outbox_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_items.id"), nullable=True
    )
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("progress_entries.id"), nullable=True)
    text: Mapped[str | None] = mapped_column(Text, nullable=True)
    question_ref: Mapped[str | None] = mapped_column(String(200), nullable=True)
    prompt_ref: Mapped[str | None] = mapped_column(String(200), nullable=True)
    asked_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class ServiceStateRow(Base):
    __tablename__ = "service_state"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class WebLinkRow(Base):
    """A single-use login link for the web board; only the token's hash is stored."""

    __tablename__ = "web_login_links"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), nullable=True)
    leadership: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class WebSessionRow(Base):
    """A browser session opened with a login link; only the cookie value's hash is stored."""

    __tablename__ = "web_sessions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_hash: Mapped[str] = mapped_column(String(64), unique=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("web_login_links.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), nullable=True)
    leadership: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
