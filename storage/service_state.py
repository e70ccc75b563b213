"""A small key/value store for the service's own facts (e.g. first_started_at)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ServiceStateRow
from storage.upsert import dialect_insert

FIRST_STARTED_AT = "first_started_at"


async def get_value(session: AsyncSession, key: str) -> str | None:
    """Return the stored value, or None."""
    return await session.scalar(select(ServiceStateRow.value).where(ServiceStateRow.key == key))


async def set_value(session: AsyncSession, key: str, value: str) -> None:
    """Store a value, replacing any previous one."""
    row = await session.get(ServiceStateRow, key)
    if row is None:
        session.add(ServiceStateRow(key=key, value=value))
    else:
        row.value = value
    await session.flush()


async def first_started_at(session: AsyncSession, now: datetime) -> datetime:
    """Return when the service first started, recording `now` if this is the first time."""
    insert = dialect_insert(session)
    await session.execute(
        insert(ServiceStateRow)
        .values(key=FIRST_STARTED_AT, value=now.isoformat())
        .on_conflict_do_nothing(index_elements=["key"])
    )
    stored = await get_value(session, FIRST_STARTED_AT)
    return datetime.fromisoformat(stored) if stored else now
