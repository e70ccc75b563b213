"""Record and read the pause and resume events of units (their rules: `storage.pauses`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.database import AnySelect
from storage.models import PauseRow, UnitRow
from storage.pauses import PauseEvent, windows
from storage.plans import unit_ids


async def record(
    session: AsyncSession,
    unit: str,
    kind: str,
    from_day: date,
    until_day: date | None,
    reason: str | None,
    by: str,
    now: datetime,
) -> PauseEvent:
    """Append a pause or resume event for a unit."""
    unit_id = (await unit_ids(session))[unit]
    session.add(
        PauseRow(
            unit_id=unit_id,
            kind=kind,
            from_day=from_day,
            until_day=until_day,
            reason=reason,
            by=by,
            at=now,
        )
    )
    await session.flush()
    return PauseEvent(unit, kind, from_day, until_day, reason, by, now)


async def events(
    session: AsyncSession, as_of: datetime, unit: str | None = None
) -> dict[str, list[PauseEvent]]:
    """Return every unit's pause events recorded by an instant, oldest first."""
    return events_from(await session.execute(events_query(as_of, unit)))


def events_query(
    as_of: datetime | ColumnElement[datetime], unit: str | ColumnElement[str] | None = None
) -> AnySelect:
    """Select the pause events recorded by an instant (every unit's, or one unit's)."""
    query = (
        select(
            UnitRow.name,
            PauseRow.kind,
            PauseRow.from_day,
            PauseRow.until_day,
            PauseRow.reason,
            PauseRow.by,
            PauseRow.at,
            PauseRow.id,
        )
        .join(UnitRow, UnitRow.id == PauseRow.unit_id)
        .where(PauseRow.at <= as_of)
    )
    if unit is not None:
        query = query.where(UnitRow.name == unit)
    return query


def events_from(rows: Iterable[Sequence[Any]]) -> dict[str, list[PauseEvent]]:
    """Return the events `events_query` selected, per unit, oldest first (rows in any order)."""
    found: dict[str, list[PauseEvent]] = {}
    for name, kind, from_day, until_day, reason, by, at, _ in sorted(rows, key=_in_order):
        found.setdefault(name, []).append(
            PauseEvent(name, kind, from_day, until_day, reason, by, at)
        )
    return found


def _in_order(row: Sequence[Any]) -> tuple[datetime, int]:
    return (row[-2], row[-1])


async def unit_windows(
    session: AsyncSession, as_of: datetime
) -> dict[str, tuple[tuple[date, date], ...]]:
    """Return each paused unit's windows (first day, last day) as recorded by an instant."""
    found = await events(session, as_of)
    return {
        unit: tuple((first, last) for first, last, _ in windows(unit_events))
        for unit, unit_events in found.items()
    }
