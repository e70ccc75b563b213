"""Chats on several channels, channel-neutral message and update keys, pending questions.

- chats gain `channel` and `address` (a Telegram chat's address is its id as text); the
  integer `chat_id` stays the key every other table uses.
- outbox.message_id (a Telegram integer) becomes `message_ref` (any channel's reference), and
  `parts_sent` counts the parts of a long message already delivered (a retry resumes there).
- progress_entries.source_update_id (a Telegram update id) becomes `source_key`
  (`telegram:123`, `wecom:…`), still unique, so one update is recorded once per channel.
- pending_questions: what the bot asked a person in a chat, until answered or expired.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision, keeping every row."""
    with op.batch_alter_table("chats") as batch:
        batch.add_column(
            sa.Column("channel", sa.String(16), nullable=False, server_default="telegram")
        )
        batch.add_column(sa.Column("address", sa.String(200), nullable=True))
    op.execute("UPDATE chats SET address = CAST(chat_id AS VARCHAR(200))")
    with op.batch_alter_table("chats") as batch:
        batch.alter_column("address", existing_type=sa.String(200), nullable=False)
        batch.create_unique_constraint("uq_chats_channel", ["channel", "address"])

    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("message_ref", sa.String(200), nullable=True))
        batch.add_column(
            sa.Column("parts_sent", sa.Integer(), nullable=False, server_default="0")
        )
    op.execute(
        "UPDATE outbox SET message_ref = CAST(message_id AS VARCHAR(200))"
        " WHERE message_id IS NOT NULL"
    )
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("message_id")

    with op.batch_alter_table("progress_entries") as batch:
        batch.add_column(sa.Column("source_key", sa.String(120), nullable=True))
    op.execute(
        "UPDATE progress_entries SET source_key = 'telegram:' || CAST(source_update_id AS"
        " VARCHAR(40)) WHERE source_update_id IS NOT NULL"
    )
    with op.batch_alter_table("progress_entries") as batch:
        batch.drop_constraint("uq_progress_entries_source_update_id", type_="unique")
        batch.drop_column("source_update_id")
        batch.create_unique_constraint("uq_progress_entries_source_key", ["source_key"])

    op.create_table(
        "pending_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("person", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("milestone_id", sa.Integer(), nullable=True),
        sa.Column("outbox_item_id", sa.Integer(), nullable=True),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("question_ref", sa.String(200), nullable=True),
        sa.Column("prompt_ref", sa.String(200), nullable=True),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["chat_id"], ["chats.chat_id"], name=op.f("fk_pending_questions_chat_id_chats")
        ),
        sa.ForeignKeyConstraint(
            ["task_id"], ["tasks.id"], name=op.f("fk_pending_questions_task_id_tasks")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_pending_questions_unit_id_units")
        ),
        sa.ForeignKeyConstraint(
            ["milestone_id"],
            ["milestones.id"],
            name=op.f("fk_pending_questions_milestone_id_milestones"),
        ),
        sa.ForeignKeyConstraint(
            ["outbox_item_id"],
            ["outbox_items.id"],
            name=op.f("fk_pending_questions_outbox_item_id_outbox_items"),
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["progress_entries.id"],
            name=op.f("fk_pending_questions_entry_id_progress_entries"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_questions")),
    )
    op.create_index(
        "ix_pending_questions_open", "pending_questions", ["chat_id", "person", "closed_at"]
    )


def downgrade() -> None:
    """Revert this revision; refused while chats of other channels than Telegram exist."""
    others = op.get_bind().scalar(
        sa.text("SELECT COUNT(*) FROM chats WHERE channel <> 'telegram'")
    )
    if others:
        raise RuntimeError(f"{others} chats are not Telegram chats; unbind them first")
    op.drop_index("ix_pending_questions_open", table_name="pending_questions")
    op.drop_table("pending_questions")
    with op.batch_alter_table("progress_entries") as batch:
        batch.drop_constraint("uq_progress_entries_source_key", type_="unique")
        batch.add_column(sa.Column("source_update_id", sa.BigInteger(), nullable=True))
    op.execute(
        "UPDATE progress_entries SET source_update_id = CAST(SUBSTR(source_key, 10) AS BIGINT)"
        " WHERE source_key LIKE 'telegram:%'"
    )
    with op.batch_alter_table("progress_entries") as batch:
        batch.drop_column("source_key")
        batch.create_unique_constraint(
            "uq_progress_entries_source_update_id", ["source_update_id"]
        )
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("message_id", sa.BigInteger(), nullable=True))
    op.execute(
        "UPDATE outbox SET message_id = CAST(message_ref AS BIGINT) WHERE message_ref IS NOT NULL"
    )
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("message_ref")
        batch.drop_column("parts_sent")
    with op.batch_alter_table("chats") as batch:
        batch.drop_constraint("uq_chats_channel", type_="unique")
        batch.drop_column("address")
        batch.drop_column("channel")
