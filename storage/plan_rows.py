"""What a plan's import stores of each task, and how stored rows are matched across imports
(pure: `storage.plan_sync` writes the rows; `storage.fresh_ledger` holds a first import in
memory)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, Protocol

from plan_data.model import Milestone, OwnerRole, Target, Task


def stored_owners(task: Task, units: Mapping[str, int]) -> dict[int, tuple[int, OwnerRole]]:
    """Return the owners a task's rows hold, by unit row id: (place, role). A unit the ledger
    does not know is left out; a unit named twice keeps its last place, as a dict of wanted
    owners does."""
    return {units[o.unit]: (i, o.role) for i, o in enumerate(task.owners) if o.unit in units}


class _MilestoneLike(Protocol):
    @property
    def kind(self) -> str: ...
    @property
    def action(self) -> str | None: ...
    @property
    def start(self) -> date | None: ...
    @property
    def end(self) -> date | None: ...
    @property
    def event(self) -> str | None: ...


def milestone_key(m: _MilestoneLike) -> tuple[str | None, ...]:
    """Return what identifies a milestone across imports: kind, action and dates (and the
    event an event milestone waits for)."""
    key = (m.kind, m.action, str(m.start), str(m.end))
    return (*key, m.event) if m.event is not None else key


def milestone_extras(m: Milestone) -> dict[str, Any]:
    """Return a milestone's series and event columns (kept in place across imports)."""
    return {
        "series": m.series,
        "interval_days": m.interval_days,
        "event": m.event,
        "offset": m.offset,
        "offset_unit": m.offset_unit,
    }


def target_key(t: Target) -> tuple[str, str, str, str]:
    """Return what identifies a target across imports: kind, value, measure and what."""
    return (t.kind, repr(float(t.value)), t.unit, t.what)
