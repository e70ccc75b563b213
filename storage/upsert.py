"""INSERT … ON CONFLICT for whichever database holds the ledger, one home for the choice.

SQLAlchemy's PostgreSQL dialect (with asyncpg's) takes a tenth of a second to import, so a
SQLite ledger never loads it: the dialect's `insert` is imported when a statement is built.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

if TYPE_CHECKING:
    from sqlalchemy.dialects import postgresql, sqlite

    Insert = postgresql.Insert | sqlite.Insert


def dialect_insert(session: AsyncSession) -> Callable[[Any], Insert]:
    """Return the `insert` of the session's database, which knows `on_conflict_do_nothing`."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert
