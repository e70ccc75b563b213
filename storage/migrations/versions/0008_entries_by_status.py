"""The 已完成 index leads with the status, so the board's "latest 已完成 per milestone" reads
only the done entries instead of scanning every entry of a million-entry ledger.

- progress_entries: `ix_entries_done` (unit, task, status, milestone, created_at) becomes
  `ix_entries_by_status` (status, unit, task, milestone, created_at, id). The probes the old
  index served (one pair's done entries of one milestone) are served as well: every column
  before created_at is compared with `=`. The id makes the per-milestone max(id) an index-only
  read on PostgreSQL too (SQLite keeps the rowid in every index anyway).

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Replace the done-probe index by one that leads with the status."""
    op.create_index(
        "ix_entries_by_status",
        "progress_entries",
        ["status", "unit_id", "task_id", "milestone_id", "created_at", "id"],
    )
    op.drop_index("ix_entries_done", table_name="progress_entries")


def downgrade() -> None:
    """Put the pair-first done-probe index back."""
    op.create_index(
        "ix_entries_done",
        "progress_entries",
        ["unit_id", "task_id", "status", "milestone_id", "created_at"],
    )
    op.drop_index("ix_entries_by_status", table_name="progress_entries")
