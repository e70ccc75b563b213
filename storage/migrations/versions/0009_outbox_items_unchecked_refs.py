"""An outbox item's task, unit and milestone are written, not checked row by row.

- outbox_items loses its foreign keys to tasks, units and milestones (the one to outbox stays).

outbox_items is the outbox's index of what each message carried: reconcile writes a
message's items once, in the transaction that read those very tasks, units and milestones,
and never changes them. Tasks, units and milestones are never deleted (a task or milestone
that leaves the plan is archived), so nothing can leave an item pointing nowhere, while on
PostgreSQL each of the three keys cost a trigger's lookup per item row: on the busy day of
a plan 100 times the seed (4,860 items) that was 50 of the insert's 80 ms.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_REFERENCES = (
    ("fk_outbox_items_task_id_tasks", "tasks", "task_id"),
    ("fk_outbox_items_unit_id_units", "units", "unit_id"),
    ("fk_outbox_items_milestone_id_milestones", "milestones", "milestone_id"),
)


def upgrade() -> None:
    """Drop the three plan-row foreign keys of outbox_items."""
    with op.batch_alter_table("outbox_items") as batch:
        for name, _, _ in _REFERENCES:
            batch.drop_constraint(name, type_="foreignkey")


def downgrade() -> None:
    """Put them back."""
    with op.batch_alter_table("outbox_items") as batch:
        for name, table, column in _REFERENCES:
            batch.create_foreign_key(name, table, [column], ["id"])
