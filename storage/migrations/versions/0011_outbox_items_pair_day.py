"""The prompt history is indexed so that neither /status nor a reconcile pass reads all of
it: a pair's prompts by day (its first prompt after its latest report, 未报, is one probe)
and the outbox by the time a message was queued (a pass reads this year's points).

- outbox_items: `ix_outbox_items_point` (task, unit, milestone) becomes
  `ix_outbox_items_pair_day` (task, unit, point_date). The status read used to probe for
  the pair's latest report once per prompt item: with 198,000 items, a unit's /status took
  0.7 s on PostgreSQL and the whole bureau's 2.4 s; now two probes per pair. Nothing else
  read the old index past its task and unit.
- outbox: `ix_outbox_created` (created_at). A reconcile pass reads the points queued from
  its floor on (1 January, or the first start) through it, instead of grouping every item
  ever queued: with those 198,000 items that read took 460 ms on SQLite, every minute.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Index each pair's prompt items by day instead of by milestone, and the outbox by
    the time a message was queued."""
    op.create_index(
        "ix_outbox_items_pair_day", "outbox_items", ["task_id", "unit_id", "point_date"]
    )
    op.drop_index("ix_outbox_items_point", table_name="outbox_items")
    op.create_index("ix_outbox_created", "outbox", ["created_at"])


def downgrade() -> None:
    """Put the milestone index back; drop the time index."""
    op.drop_index("ix_outbox_created", table_name="outbox")
    op.create_index(
        "ix_outbox_items_point", "outbox_items", ["task_id", "unit_id", "milestone_id"]
    )
    op.drop_index("ix_outbox_items_pair_day", table_name="outbox_items")
