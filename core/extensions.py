"""Ask for more time and decide on it: the same rules whether from chat, the CLI or simulate.

Only an open deadline milestone can be extended; the new date must be later than its due
date in force (after any approved extension) and no later than the end of the year after
the plan's year; a date a person types is read against the clock (`--clock` too).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from core import rules
from core.actor import Reporter
from core.errors import ExtensionPending, LeadershipOnly, NotAUnitChat, NotOwner
from core.runtime import Core
from plan_data.dates import find_date_in_text, read_date
from storage import extensions, progress
from storage.plans import task_by_id, unit_ids
from storage.records import BindingRecord, EntryDraft, ExtensionRecord
from storage.schedule_queries import schedule_milestones

_EDGE = " ，,。;；:："


@dataclass(frozen=True, slots=True)
class ExtensionFiled:
    """A request filed: the request, and which milestone it moves (and whether we chose it)."""

    request: ExtensionRecord
    milestone: rules.MilestoneFacts
    chosen: bool


def read_new_date(core: Core, text: str, at: datetime | None = None) -> tuple[date, str | None]:
    """Return the date a person typed and the rest of the text (their reason)."""
    local = (at or core.now()).astimezone(core.tz)
    # read_date refuses past, unreadable and far-off dates; the rest of the text is the reason.
    new_date = read_date(text.strip(), local)
    found = find_date_in_text(text, local)
    reason = found[1].strip(_EDGE) if found else ""
    return new_date, reason or None


async def check_extendable(
    core: Core, unit: str | None, task_id: str, milestone_id: int | None = None
) -> None:
    """Refuse at once what no date could make right: a task of another unit, ongoing work,
    a period, a deadline already done (before anyone is asked for a date)."""
    if unit is None:
        raise NotAUnitChat
    async with core.db.session(readonly=True) as session:
        facts, _ = await _facts(session, unit, task_id, core.now(), core.policy.signoff)
    rules.milestone_to_extend(task_id, facts, milestone_id)


async def _facts(
    session: AsyncSession, unit: str, task_id: str, at: datetime, signoff: bool
) -> tuple[list[rules.MilestoneFacts], int]:
    """Return the milestones of one (task, unit) as the rules see them, and the task's row."""
    task = await task_by_id(session, task_id)
    if unit not in task.units:
        raise NotOwner(task.id, unit, task.units)
    unit_id = (await unit_ids(session))[unit]
    facts = [
        rules.MilestoneFacts(m.milestone_id, m.kind, m.action, m.end, m.done)
        for m in await schedule_milestones(session, at, (task.row, unit_id), signoff=signoff)
    ]
    return facts, task.row


async def request_extension(
    core: Core,
    unit: str | None,
    task_id: str,
    when: str,
    *,
    by: Reporter,
    reason: str | None = None,
    milestone_id: int | None = None,
    at: datetime | None = None,
) -> ExtensionFiled:
    """File a request to move a deadline: the entry and the request in one transaction."""
    async with core.db.session() as session:
        filed = await file_request(
            session,
            core,
            unit,
            task_id,
            when,
            by=by,
            reason=reason,
            milestone_id=milestone_id,
            at=at or core.now(),
        )
    core.changed()
    return filed


async def file_request(
    session: AsyncSession,
    core: Core,
    unit: str | None,
    task_id: str,
    when: str,
    *,
    by: Reporter,
    at: datetime,
    reason: str | None = None,
    milestone_id: int | None = None,
) -> ExtensionFiled:
    """Check the extension rules and file the request, inside the caller's transaction."""
    if unit is None:
        raise NotAUnitChat
    new_date, rest = read_new_date(core, when, at)
    facts, task_row = await _facts(session, unit, task_id, at, core.policy.signoff)
    milestone, due = rules.milestone_to_extend(task_id, facts, milestone_id)
    rules.check_new_due(new_date, due, core.plan_year)
    for pending in await extensions.pending_extensions(session):
        same_milestone = pending.milestone_id in (milestone.id, None)
        if pending.task_row == task_row and pending.unit == unit and same_milestone:
            raise ExtensionPending(task_id, pending.new_date)
    why = reason if reason is not None else rest
    entry = await progress.record_entry(
        session,
        EntryDraft(
            task_id=task_id,
            unit=unit,
            status="extension",
            reporter=by.name,
            source=by.source,
            note=why,
            proposed_date=new_date,
            milestone_id=milestone.id,
            reporter_chat_id=by.chat_id,
            source_key=by.key,
        ),
        at,
    )
    request = await extensions.request_extension(
        session, entry.id, new_date, at, old_date=due, reason=why
    )
    return ExtensionFiled(request, milestone, chosen=milestone_id is None)


async def decide(
    core: Core, binding: BindingRecord | None, extension_id: int, approve: bool, by: str
) -> ExtensionRecord:
    """Approve or reject a pending request; only the leadership may, and only once."""
    if binding is None or not binding.is_leadership:
        raise LeadershipOnly
    async with core.db.session() as session:
        decided = await extensions.decide_extension(session, extension_id, approve, by, core.now())
    core.changed()
    return decided
