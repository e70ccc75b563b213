"""Pauses: a unit's prompts and overdue counting held for a period (leave, an emergency).

Kept as append-only events: a pause (from, until, reason) and a resume (from a day on). The
windows a unit is paused in are derived from them (`windows`), so the history stays whole.
Deadlines never move with a pause; that stays an extension.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.database import AnySelect
from storage.models import PauseRow, UnitRow
from storage.plans import unit_ids
from storage.records import PauseInfo


@dataclass(frozen=True, slots=True)
class PauseEvent:
    """One recorded pause or resume of a unit."""

    unit: str
    kind: str
    from_day: date
    until_day: date | None
    reason: str | None
    by: str
    at: datetime


# A paused period: first day, last day, reason.
PauseWindow = tuple[date, date, str | None]


def windows(events: Iterable[PauseEvent]) -> list[PauseWindow]:
    """Return the periods (first day, last day, reason) the events leave paused, in order.

    A resume ends every pause still running on its day (and cancels those set to start
    later); a later pause starts afresh.
    """
    found: list[PauseWindow] = []
    for event in sorted(events, key=lambda e: e.at):
        if event.kind == "pause" and event.until_day is not None:
            found.append((event.from_day, event.until_day, event.reason))
        elif event.kind == "resume":
            cut = event.from_day - timedelta(days=1)
            found = [(a, min(b, cut), r) for a, b, r in found if a <= cut]
    return [w for w in found if w[0] <= w[1]]


def pause_on(events: Iterable[PauseEvent], day: date) -> PauseInfo | None:
    """Return the pause a day falls in, or None."""
    return pause_in(windows(events), day)


def pause_in(periods: Iterable[PauseWindow], day: date) -> PauseInfo | None:
    """Return the paused period (`windows`) a day falls in, or None."""
    for first, last, reason in periods:
        if first <= day <= last:
            return PauseInfo(last, reason, first)
    return None


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
        .order_by(PauseRow.at, PauseRow.id)
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
