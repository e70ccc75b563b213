"""The rules of the actions, as pure functions over facts: every door's actions call these.

The database-backed actions (`core.progress`, `core.extensions`) gather the facts and call
the rule; `simulate` may gather them elsewhere and call the same rule.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from core.errors import (
    BeyondPlanWindow,
    NeedsNote,
    NotExtendable,
    NotLater,
    UnknownMilestone,
    UseExtensionRequest,
)
from vocabulary import Status

_PERCENT = re.compile(r"(\d{1,3})\s*[%％]")


@dataclass(frozen=True, slots=True)
class MilestoneFacts:
    """A milestone of one (task, unit) as the rules see it: its due date in force, done or not."""

    id: int
    kind: str
    action: str | None
    due: date | None
    done: bool


def split_percent(text: str) -> tuple[str | None, int | None]:
    """Return the note without a percent in it ("60% 已签约3家" → ("已签约3家", 60))."""
    found = _PERCENT.search(text)
    if found is None or int(found.group(1)) > 100:
        return (text.strip() or None), None
    note = (text[: found.start()] + text[found.end() :]).strip(" ，,。;；")
    return (note or None), int(found.group(1))


def check_report(status: Status, note: str | None) -> None:
    """Refuse a report that cannot stand as given."""
    if status == "extension":
        raise UseExtensionRequest
    if status == "blocked" and not (note and note.strip()):
        raise NeedsNote(status)


def extension_limit(plan_year: int) -> date:
    """Return the latest date an extension may move a deadline to: the next year's end."""
    return date(plan_year + 1, 12, 31)


def milestone_to_extend(
    task_id: str, milestones: Sequence[MilestoneFacts], milestone_id: int | None
) -> tuple[MilestoneFacts, date]:
    """Return the milestone an extension moves (the one named, else the nearest open
    deadline) and its due date in force."""
    if milestone_id is not None:
        named = next((m for m in milestones if m.id == milestone_id), None)
        if named is None:
            raise UnknownMilestone(milestone_id, task_id)
        if named.kind != "deadline" or named.due is None:
            raise NotExtendable(task_id, "not_deadline", named.action)
        if named.done:
            raise NotExtendable(task_id, "done", named.action)
        return named, named.due
    open_ones = [
        (m, m.due) for m in milestones if m.kind == "deadline" and m.due is not None and not m.done
    ]
    if open_ones:
        return min(open_ones, key=lambda pair: (pair[1], pair[0].id))
    deadlines = [m for m in milestones if m.kind == "deadline" and m.due is not None]
    if deadlines:
        raise NotExtendable(task_id, "done")
    kinds = {m.kind for m in milestones}
    if "event" in kinds:
        raise NotExtendable(task_id, "event")  # its deadline starts when its event is reported
    raise NotExtendable(task_id, "period" if "period" in kinds else "ongoing")


def check_new_due(new: date, current: date, plan_year: int) -> None:
    """Refuse a new due date that is not later than the one in force, or beyond the window."""
    if new <= current:
        raise NotLater(current)
    limit = extension_limit(plan_year)
    if new > limit:
        raise BeyondPlanWindow(new, limit)
