"""Targets and pace, recurring and event-triggered deadlines (issue 14).

- milestones gain a recurring deadline's series and interval, and an event-triggered one's
  event and offset (columns added in place; existing rows keep NULLs until the plan is
  imported again, which the plan's new content hash makes happen).
- task_targets: the quantitative targets of each task, kept across imports like milestones.
- progress_readings: progress against a target that a report gave (append-only, each row
  anchored on its entry's hash).
- milestone_events: a reported event and the due date it gives (append-only, anchored).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.append_only import drop_append_only, make_append_only

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_MILESTONE_COLUMNS = (
    ("series", sa.Text()),
    ("interval_days", sa.Integer()),
    ("event", sa.Text()),
    ("event_offset", sa.Integer()),
    ("event_offset_unit", sa.String(16)),
)


def upgrade() -> None:
    """Apply this revision (no existing row changes)."""
    for name, column in _MILESTONE_COLUMNS:
        op.add_column("milestones", sa.Column(name, column, nullable=True))
    op.create_table(
        "task_targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(16), nullable=False),
        sa.Column("what", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["task_id"], ["tasks.id"], name=op.f("fk_task_targets_task_id_tasks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_targets")),
    )
    op.create_index(op.f("ix_task_targets_task_id"), "task_targets", ["task_id"])
    op.create_table(
        "progress_readings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=True),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("share", sa.Float(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["progress_entries.id"],
            name=op.f("fk_progress_readings_entry_id_progress_entries"),
        ),
        sa.ForeignKeyConstraint(
            ["task_id"], ["tasks.id"], name=op.f("fk_progress_readings_task_id_tasks")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_progress_readings_unit_id_units")
        ),
        sa.ForeignKeyConstraint(
            ["target_id"],
            ["task_targets.id"],
            name=op.f("fk_progress_readings_target_id_task_targets"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_progress_readings")),
    )
    op.create_index(op.f("ix_progress_readings_entry_id"), "progress_readings", ["entry_id"])
    op.create_index("ix_readings_pair", "progress_readings", ["task_id", "unit_id", "created_at"])
    op.create_table(
        "milestone_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("milestone_id", sa.Integer(), nullable=False),
        sa.Column("event_day", sa.Date(), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["progress_entries.id"],
            name=op.f("fk_milestone_events_entry_id_progress_entries"),
        ),
        sa.ForeignKeyConstraint(
            ["task_id"], ["tasks.id"], name=op.f("fk_milestone_events_task_id_tasks")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_milestone_events_unit_id_units")
        ),
        sa.ForeignKeyConstraint(
            ["milestone_id"],
            ["milestones.id"],
            name=op.f("fk_milestone_events_milestone_id_milestones"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_milestone_events")),
    )
    op.create_index(op.f("ix_milestone_events_entry_id"), "milestone_events", ["entry_id"])
    op.create_index(
        "ix_milestone_events_milestone", "milestone_events", ["milestone_id", "created_at"]
    )
    make_append_only("progress_readings")
    make_append_only("milestone_events")


def downgrade() -> None:
    """Revert this revision (targets, readings and reported events are dropped)."""
    drop_append_only("milestone_events")
    drop_append_only("progress_readings")
    op.drop_index("ix_milestone_events_milestone", table_name="milestone_events")
    op.drop_index(op.f("ix_milestone_events_entry_id"), table_name="milestone_events")
    op.drop_table("milestone_events")
    op.drop_index("ix_readings_pair", table_name="progress_readings")
    op.drop_index(op.f("ix_progress_readings_entry_id"), table_name="progress_readings")
    op.drop_table("progress_readings")
    op.drop_index(op.f("ix_task_targets_task_id"), table_name="task_targets")
    op.drop_table("task_targets")
    with op.batch_alter_table("milestones") as batch:
        for name, _ in reversed(_MILESTONE_COLUMNS):
            batch.drop_column(name)
