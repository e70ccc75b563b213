"""A lock so that only one process reconciles the schedule at a time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text

from storage.database import Database

RECONCILE_LOCK_KEY = 74203


@asynccontextmanager
async def reconcile_lock(db: Database) -> AsyncIterator[bool]:
    """Yield whether this process holds the reconcile lock (SQLite: always True).

    On PostgreSQL a session advisory lock is taken on its own connection and released
    when the block ends; a second process gets False and should skip its run.
    """
    if db.dialect != "postgresql":
        yield True
        return
    async with db.engine.connect() as conn:
        acquired = bool(
            await conn.scalar(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": RECONCILE_LOCK_KEY}
            )
        )
        await conn.commit()
        try:
            yield acquired
        finally:
            if acquired:
                await conn.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": RECONCILE_LOCK_KEY}
                )
                await conn.commit()
