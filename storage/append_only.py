"""Tables the database itself keeps append-only: triggers that refuse UPDATE and DELETE.

A migration makes a table append-only in one line::

    from storage.append_only import make_append_only
    make_append_only("sign_offs")

The statements are plain DDL built from a checked table name (triggers cannot take bound
parameters). Whoever owns the schema can still drop a trigger; the hash chain
(`storage.chain`, checked by `duban verify`) is what shows that a row was changed anyway.
"""

from __future__ import annotations

import re

APPEND_ONLY_TABLES = (
    "progress_entries",
    "evidence",
    "extension_requests",
    "extension_decisions",
    "signoffs",
    "pauses",
    "progress_readings",
    "milestone_events",
)
"""The tables the migrations make append-only (0003, 0005, 0006): `duban verify` checks them."""

PG_FUNCTION = "duban_refuse_change"
_NAME = re.compile(r"[a-z_][a-z0-9_]*")


def refusal(table: str, operation: str) -> str:
    """Return the error text a refused change raises (the same on both databases)."""
    return f"{_checked(table)} is append-only: {operation} refused"


def append_only_ddl(dialect: str, table: str) -> list[str]:
    """Return the statements that make `table` refuse UPDATE and DELETE on this dialect."""
    table = _checked(table)
    if dialect == "sqlite":
        return [
            f"CREATE TRIGGER {table}_no_{word.lower()} BEFORE {word} ON {table}"
            f" BEGIN SELECT RAISE(ABORT, '{refusal(table, word)}'); END"
            for word in ("UPDATE", "DELETE")
        ]
    if dialect == "postgresql":
        return [
            _PG_FUNCTION_DDL,
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}"
            f" FOR EACH ROW EXECUTE FUNCTION {PG_FUNCTION}()",
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}"
            f" FOR EACH STATEMENT EXECUTE FUNCTION {PG_FUNCTION}()",
        ]
    raise ValueError(f"no append-only triggers for dialect {dialect!r}")


def drop_append_only_ddl(dialect: str, table: str) -> list[str]:
    """Return the statements that remove `table`'s append-only triggers (not the function)."""
    table = _checked(table)
    if dialect == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {table}_no_{word}" for word in ("update", "delete")]
    if dialect == "postgresql":
        return [
            f"DROP TRIGGER IF EXISTS {table}_{name} ON {table}"
            for name in ("append_only", "no_truncate")
        ]
    raise ValueError(f"no append-only triggers for dialect {dialect!r}")


def make_append_only(table: str) -> None:
    """Make `table` append-only (call inside an Alembic migration)."""
    from alembic import op  # only a migration calls this, inside Alembic

    for statement in append_only_ddl(op.get_bind().dialect.name, table):
        op.execute(statement)


def drop_append_only(table: str) -> None:
    """Undo `make_append_only` (call inside an Alembic migration's downgrade)."""
    from alembic import op  # only a migration calls this, inside Alembic

    for statement in drop_append_only_ddl(op.get_bind().dialect.name, table):
        op.execute(statement)


def _checked(table: str) -> str:
    if not _NAME.fullmatch(table):
        raise ValueError(f"not a plain table name: {table!r}")
    return table


# One function serves every append-only table; CREATE OR REPLACE lets each call repeat it.
_PG_FUNCTION_DDL = f"""
CREATE OR REPLACE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'restrict_violation';
END
$$
"""
