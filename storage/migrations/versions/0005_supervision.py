"""Supervision: sign-off steps, pauses, evidence files kept, two leadership levels.

- signoffs: leadership's 通过 / 退回 and a unit's 撤回 of a reported 已完成 (append-only).
- pauses: a unit's prompts held for a period, and resumes (append-only).
- evidence gains the kept file's sha256, name, type and size (columns added in place: the
  table stays append-only and keeps its triggers).
- bindings and invite codes gain a leadership level (1 分管领导, 2 主要领导).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.append_only import drop_append_only, make_append_only

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision (no existing row changes)."""
    op.create_table(
        "signoffs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("milestone_id", sa.Integer(), nullable=True),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("by", sa.Text(), nullable=False),
        sa.Column("by_chat_id", sa.BigInteger(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["task_id"], ["tasks.id"], name=op.f("fk_signoffs_task_id_tasks")),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_signoffs_unit_id_units")),
        sa.ForeignKeyConstraint(
            ["milestone_id"], ["milestones.id"], name=op.f("fk_signoffs_milestone_id_milestones")
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["progress_entries.id"],
            name=op.f("fk_signoffs_entry_id_progress_entries"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signoffs")),
    )
    op.create_index("ix_signoffs_pair", "signoffs", ["task_id", "unit_id", "milestone_id"])
    op.create_table(
        "pauses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("from_day", sa.Date(), nullable=False),
        sa.Column("until_day", sa.Date(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("by", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_pauses_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pauses")),
    )
    op.create_index("ix_pauses_unit", "pauses", ["unit_id", "at"])
    for name, column in (
        ("sha256", sa.String(64)),
        ("file_name", sa.Text()),
        ("mime_type", sa.String(100)),
        ("size", sa.BigInteger()),
    ):
        op.add_column("evidence", sa.Column(name, column, nullable=True))
    for table in ("bindings", "invite_codes"):
        op.add_column(table, sa.Column("level", sa.Integer(), nullable=False, server_default="1"))
    make_append_only("signoffs")
    make_append_only("pauses")


def downgrade() -> None:
    """Revert this revision (sign-offs, pauses and kept files' details are dropped)."""
    drop_append_only("signoffs")
    drop_append_only("pauses")
    for table in ("bindings", "invite_codes"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("level")
    for name in ("size", "mime_type", "file_name", "sha256"):
        op.drop_column("evidence", name)
    op.drop_index("ix_pauses_unit", table_name="pauses")
    op.drop_table("pauses")
    op.drop_index("ix_signoffs_pair", table_name="signoffs")
    op.drop_table("signoffs")
