"""A tamper-evident ledger: hash chains, decisions in their own table, append-only triggers.

- progress_entries gets `prev_hash` and `hash`; every existing entry is hashed here, chain
  by chain in id order, exactly as `storage.progress.record_entry` hashes new ones.
- extension_requests gets `hash` (anchored on its entry's hash) and loses `state`,
  `decided_by` and `decided_at`: each decided request becomes a row of the new
  append-only `extension_decisions` (approve = state was "approved"), with its own hash.
- Triggers make progress_entries, evidence, extension_requests and extension_decisions
  refuse UPDATE and DELETE (`storage.append_only`).

SQLite cannot add a NOT NULL column without a default nor change one in place (rebuilding
progress_entries would trip the foreign keys that point at it), so there the hash columns
keep a DEFAULT '' that nothing uses: a row written without a hash fails `duban verify`.

Revision ID: 0003
Revises: 0001
Create Date: 2026-12-02 10:00:00
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

from storage.append_only import PG_FUNCTION, drop_append_only, make_append_only
from storage.chain import chain_rows, decision_hash, request_hash

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

APPEND_ONLY = ("progress_entries", "evidence", "extension_requests", "extension_decisions")
PAGE = 5_000

entries = sa.table(
    "progress_entries",
    sa.column("id", sa.Integer),
    sa.column("task_id", sa.Integer),
    sa.column("unit_id", sa.Integer),
    sa.column("milestone_id", sa.Integer),
    sa.column("status", sa.String),
    sa.column("note", sa.Text),
    sa.column("percent", sa.Integer),
    sa.column("proposed_date", sa.Date),
    sa.column("reporter", sa.Text),
    sa.column("reporter_chat_id", sa.BigInteger),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("source", sa.String),
    sa.column("source_key", sa.String),
    sa.column("prev_hash", sa.String),
    sa.column("hash", sa.String),
)
requests = sa.table(
    "extension_requests",
    sa.column("id", sa.Integer),
    sa.column("entry_id", sa.Integer),
    sa.column("task_id", sa.Integer),
    sa.column("unit_id", sa.Integer),
    sa.column("milestone_id", sa.Integer),
    sa.column("old_date", sa.Date),
    sa.column("new_date", sa.Date),
    sa.column("reason", sa.Text),
    sa.column("requested_at", sa.DateTime(timezone=True)),
    sa.column("state", sa.String),
    sa.column("decided_by", sa.Text),
    sa.column("decided_at", sa.DateTime(timezone=True)),
    sa.column("hash", sa.String),
)
decisions = sa.table(
    "extension_decisions",
    sa.column("id", sa.Integer),
    sa.column("request_id", sa.Integer),
    sa.column("approve", sa.Boolean),
    sa.column("decided_by", sa.Text),
    sa.column("decided_at", sa.DateTime(timezone=True)),
    sa.column("hash", sa.String),
)


def upgrade() -> None:
    """Apply this revision."""
    bind = op.get_bind()
    _add_hash_column("progress_entries", "prev_hash")
    _add_hash_column("progress_entries", "hash")
    _hash_entries(bind)

    op.create_table(
        "extension_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("approve", sa.Boolean(), nullable=False),
        sa.Column("decided_by", sa.Text(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["extension_requests.id"],
            name=op.f("fk_extension_decisions_request_id_extension_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_extension_decisions")),
        sa.UniqueConstraint("request_id", name=op.f("uq_extension_decisions_request_id")),
    )
    _add_hash_column("extension_requests", "hash")
    _hash_requests_and_move_decisions(bind)
    op.drop_index("ix_extensions_task_unit", table_name="extension_requests")
    for column in ("state", "decided_by", "decided_at"):
        op.drop_column("extension_requests", column)
    op.create_index("ix_extensions_task_unit", "extension_requests", ["task_id", "unit_id"])

    if bind.dialect.name == "postgresql":
        for table, column in (("progress_entries", "prev_hash"), ("progress_entries", "hash")):
            op.alter_column(table, column, nullable=False)
        op.alter_column("extension_requests", "hash", nullable=False)
    op.create_index("ix_entries_chain", "progress_entries", ["task_id", "unit_id", "id"])
    op.create_index(
        "ix_entries_chain_link",
        "progress_entries",
        ["task_id", "unit_id", "prev_hash"],
        unique=True,
    )
    for table in APPEND_ONLY:
        make_append_only(table)


def downgrade() -> None:
    """Revert this revision: decisions go back into extension_requests; hashes are dropped."""
    bind = op.get_bind()
    for table in APPEND_ONLY:
        drop_append_only(table)
    if bind.dialect.name == "postgresql":
        op.execute(f"DROP FUNCTION IF EXISTS {PG_FUNCTION}()")
    op.drop_index("ix_entries_chain_link", table_name="progress_entries")
    op.drop_index("ix_entries_chain", table_name="progress_entries")
    op.drop_index("ix_extensions_task_unit", table_name="extension_requests")
    op.add_column(
        "extension_requests",
        sa.Column("state", sa.String(length=16), nullable=False, server_default="pending"),
    )
    op.add_column("extension_requests", sa.Column("decided_by", sa.Text(), nullable=True))
    op.add_column(
        "extension_requests", sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True)
    )
    for request_id, approve, decided_by, decided_at in bind.execute(
        sa.select(
            decisions.c.request_id,
            decisions.c.approve,
            decisions.c.decided_by,
            decisions.c.decided_at,
        )
    ):
        bind.execute(
            requests.update()
            .where(requests.c.id == request_id)
            .values(
                state="approved" if approve else "rejected",
                decided_by=decided_by,
                decided_at=decided_at,
            )
        )
    op.create_index(
        "ix_extensions_task_unit", "extension_requests", ["task_id", "unit_id", "state"]
    )
    op.drop_table("extension_decisions")
    op.drop_column("extension_requests", "hash")
    op.drop_column("progress_entries", "hash")
    op.drop_column("progress_entries", "prev_hash")


def _add_hash_column(table: str, name: str) -> None:
    if op.get_bind().dialect.name == "sqlite":
        column = sa.Column(name, sa.String(length=64), nullable=False, server_default="")
    else:  # filled, then made NOT NULL at the end of the upgrade
        column = sa.Column(name, sa.String(length=64), nullable=True)
    op.add_column(table, column)


def _hash_entries(bind: sa.Connection) -> None:
    """Hash every entry, each pair's chain in id order, a page of entries at a time."""
    heads: dict[tuple[Any, Any], str] = {}
    for page in _pages(bind, entries, entries.c.id):
        updates = [
            {"row_id": row["id"], "prev": row["prev_hash"], "hash": row["hash"]}
            for row in chain_rows((_aware(r._mapping) for r in page), heads)
        ]
        bind.execute(
            entries.update()
            .where(entries.c.id == sa.bindparam("row_id"))
            .values(prev_hash=sa.bindparam("prev"), hash=sa.bindparam("hash")),
            updates,
        )


def _hash_requests_and_move_decisions(bind: sa.Connection) -> None:
    """Hash every request from its entry's hash; copy each decision into its own row."""
    for page in _pages(bind, requests, requests.c.id):
        entry_ids = [row.entry_id for row in page]
        anchors = dict(
            bind.execute(
                sa.select(entries.c.id, entries.c.hash).where(entries.c.id.in_(entry_ids))
            ).all()
        )
        hashes, moved = [], []
        for row in page:
            values = _aware(row._mapping)
            own = request_hash(anchors[values["entry_id"]], values)
            hashes.append({"row_id": values["id"], "hash": own})
            if values["state"] in ("approved", "rejected"):
                decision = {
                    "request_id": values["id"],
                    "approve": values["state"] == "approved",
                    "decided_by": values["decided_by"] or "",
                    # Never missing in practice; the request time keeps the row valid.
                    "decided_at": values["decided_at"] or values["requested_at"],
                }
                moved.append({**decision, "hash": decision_hash(own, decision)})
        bind.execute(
            requests.update()
            .where(requests.c.id == sa.bindparam("row_id"))
            .values(hash=sa.bindparam("hash")),
            hashes,
        )
        if moved:
            bind.execute(decisions.insert(), moved)


def _pages(bind: sa.Connection, table: sa.TableClause, key: Any) -> Iterator[list[sa.Row[Any]]]:
    """Yield a table's rows in key order, PAGE at a time (a big ledger never sits in memory)."""
    last = 0
    while True:
        page = list(bind.execute(sa.select(table).where(key > last).order_by(key).limit(PAGE)))
        if not page:
            return
        yield page
        last = page[-1]._mapping[key.name]


def _aware(row: Any) -> dict[str, Any]:
    """Return the row's values with datetimes in UTC (SQLite hands back naive UTC)."""
    return {
        name: value.replace(tzinfo=UTC)
        if isinstance(value, datetime) and value.tzinfo is None
        else value
        for name, value in row.items()
    }
