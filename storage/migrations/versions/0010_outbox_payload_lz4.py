"""On PostgreSQL, outbox payloads are compressed with lz4 rather than pglz
(`storage.compression`: a third of the cost of storing a busy day's prompts).

- outbox.payload: `SET COMPRESSION lz4` (PostgreSQL 14 and later, built with lz4, as the
  Debian and Ubuntu packages are; elsewhere the column keeps pglz). Rows already stored keep
  their compression until rewritten.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

from alembic import op

from storage.compression import compress_payloads

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Store new payloads with lz4 where the server has it."""
    compress_payloads(op.get_bind(), "lz4")


def downgrade() -> None:
    """Back to the server's default compression."""
    compress_payloads(op.get_bind(), "default")
