"""Read what the reports need from storage's query layer, as plain report values."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from reports.digest import digest_from_facts
from reports.facts import DigestFacts, ReportInput, to_report_row
from reports.model import Digest, ExtensionItem
from storage.database import Database
from storage.milestones import MilestoneStatus
from storage.plans import current_tasks, unit_names
from storage.report_queries import pending_extensions
from storage.status import StatusRules
from storage.status_queries import read_status_facts, status_read
from storage.timeliness import facts_timeliness, unit_timeliness
from vocabulary import DEFAULT_TZ


async def read_report_input(
    session: AsyncSession,
    as_of: datetime,
    *,
    for_board: bool = False,
    rules: StatusRules | None = None,
    tz: ZoneInfo = DEFAULT_TZ,
) -> ReportInput:
    """Read the rows, pending extensions and units as of an instant (later entries ignored).

    `for_board` reads only what the web board's bureau page shows: no 台账 deadline and 节点
    words, and `entries` as 1/0 (any entry or none) instead of a count. Every category and
    light is the same; a million-entry ledger reads in a fraction of the time.
    """
    tasks = {} if for_board else {t.row: t for t in await current_tasks(session)}
    facts, status = await status_read(
        session, as_of, tz=tz, count_entries=not for_board, rules=rules
    )
    rows = tuple(to_report_row(r, tasks.get(r.task_row)) for r in status)
    extensions = await _pending(session, as_of)
    units = tuple(await unit_names(session))
    # Timeliness follows from the same facts' milestone states: no read of its own.
    items = facts_timeliness(facts, as_of.astimezone(tz).date(), tz)
    return ReportInput(rows, extensions, units, tuple(unit_timeliness(items, units)))


async def read_digest_facts(
    session: AsyncSession,
    as_of: datetime,
    *,
    rules: StatusRules | None = None,
    tz: ZoneInfo = DEFAULT_TZ,
    milestones: Sequence[MilestoneStatus] | None = None,
    labels: Mapping[int, tuple[str, str, str]] | None = None,
) -> DigestFacts:
    """Read the digest's facts as of an instant (a few set-wise queries; `milestones`: every
    pair's milestone states as of the same instant, and `labels` every current task's, if
    already read). Timeliness comes from the same milestone states (`digest_from_facts`)."""
    signoff = rules.signoff if rules is not None else True
    status = await read_status_facts(
        session,
        as_of,
        count_entries=False,
        signoff=signoff,
        milestones=milestones,
        labels=labels,
    )
    return DigestFacts(
        status=status,
        extensions=await _pending(session, as_of),
        units=tuple(await unit_names(session)),
    )


async def _pending(session: AsyncSession, as_of: datetime) -> tuple[ExtensionItem, ...]:
    """Return the extension requests waiting for leadership as of an instant."""
    return tuple(
        ExtensionItem(e.task, e.unit, e.new_date, "pending", action=e.action)
        for e in await pending_extensions(session, as_of)
    )


async def build_digest(
    db: Database, as_of: datetime, tz: ZoneInfo = DEFAULT_TZ, rules: StatusRules | None = None
) -> Digest:
    """Read the ledger as of as_of (usually digest_instant(...)) and build the digest."""
    async with db.session() as session:
        facts = await read_digest_facts(session, as_of, rules=rules, tz=tz)
    return digest_from_facts(facts, as_of, rules=rules, tz=tz)
