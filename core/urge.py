"""催办: a leader nudges one overdue or due-soon item now; the unit gets a prompt for it at once.

The prompt is an ordinary prompt (its answer buttons and replies work as every prompt's do)
under its own heading, 【局领导催办】, queued through the outbox for every chat of the unit.
An item is nudged at most once a day, whoever presses: the outbox's dedupe key says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from core.actor import Reporter
from core.buttons import Button, Press
from core.errors import (
    AlreadyUrged,
    LeadershipOnlyAction,
    NothingToUrge,
    StaleButton,
    UnitWithoutChat,
)
from core.runtime import Core
from scheduler.drafts import outbox_draft
from scheduler.leadership import urge_text
from scheduler.messages import PromptItem
from storage import bindings, outbox, status_queries
from storage.milestone_queries import milestone_statuses
from storage.milestones import MilestoneStatus
from storage.plans import unit_ids
from storage.records import ItemKind, StatusRow
from storage.schedule_queries import existing_keys, last_entries

URGE_LABEL = "催办"
# The lights a leader may nudge: 🔴 逾期 and 🟡 预警.
URGEABLE = frozenset({"red", "yellow"})
# Buttons under one view: enough for any unit's list, well inside every channel's limits.
MAX_BUTTONS = 30


@dataclass(frozen=True, slots=True)
class Urged:
    """A 催办 queued: for which item, and to how many of the unit's chats."""

    task_id: str
    title: str
    unit: str
    chats: int


async def urge_buttons(
    core: Core, rows: Sequence[StatusRow], *, with_unit: bool
) -> tuple[tuple[Button, ...], ...]:
    """Return a [2.3 催办] row for each overdue or due-soon row: overdue first, as the views
    list them, otherwise in the order given."""
    wanted = sorted((r for r in rows if r.light in URGEABLE), key=lambda r: r.light != "red")
    wanted = wanted[:MAX_BUTTONS]
    if not wanted:
        return ()
    async with core.db.session(readonly=True) as session:
        ids = await unit_ids(session)
    return tuple(
        (
            Button(
                f"{r.task_id} {r.unit} {URGE_LABEL}" if with_unit else f"{r.task_id} {URGE_LABEL}",
                Press("urge", r.task_row, "now", ids[r.unit]),
            ),
        )
        for r in wanted
    )


async def urge(
    core: Core, task_row: int, unit_id: int, *, by: Reporter, leadership: bool
) -> Urged:
    """Queue a 【局领导催办】 for one (task, unit) now; once per item per day.

    `leadership`: whether `by` acts for the leadership (a leadership chat, the admin's CLI).
    """
    if not leadership:
        raise LeadershipOnlyAction("urge")
    now = core.now()
    today = now.astimezone(core.tz).date()
    async with core.db.session() as session:
        names = {row_id: name for name, row_id in (await unit_ids(session)).items()}
        unit = names.get(unit_id)
        if unit is None:
            raise StaleButton
        rows = await status_queries.status_rows(session, now, unit, core.tz, rules=core.rules)
        row = next((r for r in rows if r.task_row == task_row), None)
        if row is None:
            raise StaleButton
        if row.light not in URGEABLE:
            raise NothingToUrge(row.task_id, unit)
        milestone = _most_pressing(
            await milestone_statuses(
                session, now, signoff=core.policy.signoff, pair=(task_row, unit_id)
            )
        )
        if milestone is None:
            raise NothingToUrge(row.task_id, unit)
        chats = await bindings.chats_for_unit(session, unit)
        if not chats:
            raise UnitWithoutChat(unit)
        keys = {
            c.chat_id: f"urge:{today.isoformat()}:{task_row}:{unit_id}:{c.chat_id}" for c in chats
        }
        if await existing_keys(session, keys.values()):
            raise AlreadyUrged(row.task_id, unit)
        last = (await last_entries(session, [(task_row, unit_id)], now)).get((task_row, unit_id))
        item = PromptItem(
            task_row=task_row,
            task_id=row.task_id,
            title=row.title,
            unit=unit,
            milestone_id=milestone.milestone_id,
            kind=_kind(milestone, today),
            due=milestone.end,
            action=milestone.action,
            point_day=today,
            last_note=last.note if last else None,
            last_at=last.created_at if last else None,
        )
        text = urge_text(unit, today, item, by.name, core.tz)
        drafts = [
            outbox_draft(key, chat, unit, "prompt", text, now, items=[item], buttons="prompt")
            for chat, key in keys.items()
        ]
        if not await outbox.enqueue_many(session, drafts, now):
            raise AlreadyUrged(row.task_id, unit)
    core.changed()
    return Urged(row.task_id, row.title, unit, len(drafts))


def _most_pressing(milestones: Sequence[MilestoneStatus]) -> MilestoneStatus | None:
    """Return the open milestone a 催办 is about: the earliest open deadline, else the
    first open milestone (work reported 遇到困难 without a deadline near)."""
    open_ones = [m for m in milestones if m.state == "open"]
    deadlines = [m for m in open_ones if m.kind == "deadline" and m.end is not None]
    if deadlines:
        return min(deadlines, key=lambda m: (m.end or date.max, m.milestone_id))
    return open_ones[0] if open_ones else None


def _kind(milestone: MilestoneStatus, today: date) -> ItemKind:
    if milestone.kind != "deadline" or milestone.end is None:
        return "checkin"
    return "overdue" if milestone.end < today else "reminder"
