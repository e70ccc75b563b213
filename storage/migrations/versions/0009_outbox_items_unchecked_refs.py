"""An outbox item's message, task, unit and milestone are written, not checked row by row.

- outbox_items loses its four foreign keys (to outbox, tasks, units and milestones); its
  indexes stay.

outbox_items is the outbox's index of what each message carried: reconcile writes a
message's items once, in the transaction that inserted the message (its id comes back from
that INSERT) and read those very tasks, units and milestones, and never changes them.
Nothing deletes an outbox row, a task, a unit or a milestone (a task or milestone that
leaves the plan is archived), so nothing can leave an item pointing nowhere; while on
PostgreSQL each key cost a trigger's lookup per item row. The busy day of a plan 100 times
the seed inserts 5,193 items; that statement alone (median of 5 to 7 runs) took 82 ms with
all four keys and 20 ms with none on a quiet machine, and 66 ms with the message's key
alone and 35 ms without it on a busy one.

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
    ("fk_outbox_items_outbox_id_outbox", "outbox", "outbox_id"),
    ("fk_outbox_items_task_id_tasks", "tasks", "task_id"),
    ("fk_outbox_items_unit_id_units", "units", "unit_id"),
    ("fk_outbox_items_milestone_id_milestones", "milestones", "milestone_id"),
)


def upgrade() -> None:
    """Drop the foreign keys of outbox_items."""
    with op.batch_alter_table("outbox_items") as batch:
        for name, _, _ in _REFERENCES:
            batch.drop_constraint(name, type_="foreignkey")


def downgrade() -> None:
    """Put them back."""
    with op.batch_alter_table("outbox_items") as batch:
        for name, table, column in _REFERENCES:
            batch.create_foreign_key(name, table, [column], ["id"])
