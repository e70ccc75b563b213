"""Outbox claims name their holder, so a sender re-checks a row is still its own just before
sending it and two processes never send one row.

- outbox gains `claim_token`: set by the claim that leased the row (with next_attempt_at as the
  lease's end), renewed while the batch is sent, cleared when the row is settled.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the claim holder; every existing row starts unclaimed."""
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("claim_token", sa.String(40), nullable=True))


def downgrade() -> None:
    """Drop the claim holder (leases alone then keep senders apart, as before)."""
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("claim_token")
