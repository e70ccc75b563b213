"""Read the status layer's facts from the ledger, as of an instant, and the status rows they
give (the rules: `storage.status`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from functools import cache
from operator import itemgetter
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Integer,
    ScalarSelect,
    String,
    and_,
    bindparam,
    func,
    literal,
    or_,
    select,
    true,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage import pause_queries
from storage.database import AnySelect, Database, Together, plain_rows
from storage.milestone_queries import MilestoneReads, RowId, milestone_statuses, owner_scope
from storage.milestones import MilestoneStatus
from storage.models import (
    EntryRow,
    OutboxItemRow,
    OutboxRow,
    ReadingRow,
    TargetRow,
    TaskOwnerRow,
    TaskRow,
    UnitRow,
    UtcDateTime,
)
from storage.plans import (
    labels_covering,
    labels_from,
    plan_year,
    plan_year_query,
    task_labels_query,
    unit_names_by_row,
    unit_names_query,
)
from storage.progress import READING_COLUMNS, progress_of
from storage.records import StatusRow, TargetProgress
from storage.status import Latest, Pair, StatusFacts, StatusRules, by_pair, rows_of
from vocabulary import DEFAULT_TZ


async def status_rows(
    session: AsyncSession,
    as_of: datetime,
    unit: str | None = None,
    tz: ZoneInfo = DEFAULT_TZ,
    *,
    count_entries: bool = True,
    rules: StatusRules | None = None,
    task_row: int | None = None,
) -> list[StatusRow]:
    """Return a row per current (task, unit) pair, in plan order, as of an instant (only
    the unit's, with `unit`; only the task's, with `task_row`).

    With count_entries=False a row's `entries` is 1 when the pair has any entry and 0
    otherwise (lights and the digest's categories are the same): counting every entry of
    a million-entry ledger is most of the query's time, and the web board's bureau page
    shows no per-row count.
    """
    _, rows = await status_read(
        session, as_of, unit, tz, count_entries=count_entries, rules=rules, task_row=task_row
    )
    return rows


async def status_read(
    session: AsyncSession,
    as_of: datetime,
    unit: str | None = None,
    tz: ZoneInfo = DEFAULT_TZ,
    *,
    count_entries: bool = True,
    rules: StatusRules | None = None,
    task_row: int | None = None,
) -> tuple[StatusFacts, list[StatusRow]]:
    """Return what `status_rows` returns with the facts its rows came from (a page that
    also counts timeliness takes it from the same facts: `storage.timeliness`)."""
    rules = rules or StatusRules()
    facts = await read_status_facts(
        session,
        as_of,
        unit,
        count_entries=count_entries,
        signoff=rules.signoff,
        task_row=task_row,
    )
    return facts, rows_of(facts, as_of, tz, rules)


async def read_rows(
    db: Database,
    as_of: datetime,
    unit: str | None = None,
    tz: ZoneInfo = DEFAULT_TZ,
    *,
    count_entries: bool = True,
    rules: StatusRules | None = None,
    task_row: int | None = None,
) -> list[StatusRow]:
    """Return what `status_rows` returns, in a read of its own: one unit's or one task's
    rows are one statement, run outside any transaction (`Database.read_alone`); the whole
    bureau's are several, in a read-only session."""
    rules = rules or StatusRules()
    if unit is None and task_row is None:
        async with db.session(readonly=True) as session:
            return await status_rows(
                session, as_of, None, tz, count_entries=count_entries, rules=rules
            )
    statement, params = _scoped(db.dialect, as_of, unit, task_row, count_entries)
    facts = _scoped_facts(await statement.run_alone(db, params), count_entries, rules.signoff)
    return rows_of(facts, as_of, tz, rules)


async def read_status_facts(
    session: AsyncSession,
    as_of: datetime,
    unit: str | None = None,
    *,
    count_entries: bool = True,
    signoff: bool = True,
    milestones: Sequence[MilestoneStatus] | None = None,
    task_row: int | None = None,
    labels: Mapping[int, tuple[str, str, str]] | None = None,
) -> StatusFacts:
    """Read what the status rows of every pair (or one unit's, or one task's) are computed
    from; `milestones`: every pair's milestone states as of the same instant, and `labels`
    every current task's, if already read (one unit's or one task's facts read their own,
    with the rest)."""
    if unit is not None or task_row is not None:  # one statement (`_scoped_read`)
        dialect = session.get_bind().dialect.name
        statement, params = _scoped(dialect, as_of, unit, task_row, count_entries)
        return _scoped_facts(await statement.run(session, params), count_entries, signoff)
    # The whole bureau: every pair's milestones (read once per pass by the scheduler).
    (pairs, latest, unanswered), labels = await _pairs(session, as_of, count_entries, labels)
    if not pairs:
        return StatusFacts([], {}, {}, {}, {}, {}, None)
    if milestones is None:
        milestones = await milestone_statuses(session, as_of, signoff=signoff, labels=labels)
    return StatusFacts(
        pairs=pairs,
        milestones=by_pair(milestones),
        latest=latest,
        unanswered=unanswered,
        paused=await pause_queries.events(session, as_of),
        progress=await latest_progress(session, as_of),
        year=await plan_year(session),
    )


async def latest_progress(
    session: AsyncSession, as_of: datetime
) -> dict[tuple[int, int], tuple[TargetProgress, ...]]:
    """Return, per (task row, unit id), the latest reading of each current target (in the
    targets' order) and of the whole task (last), as of an instant."""
    return _progress_from(await session.execute(_progress_query(as_of, None, None)))


def _progress_query(
    as_of: datetime | ColumnElement[datetime], task_row: RowId | None, unit_id: RowId | None
) -> AnySelect:
    """Select the readings `latest_progress` reads (every pair's, or a task's or a unit's),
    each with when it was made."""
    query = (
        select(
            ReadingRow.task_id,
            ReadingRow.unit_id,
            *READING_COLUMNS,
            TargetRow.position,
            ReadingRow.created_at,
            ReadingRow.id,
        )
        .outerjoin(TargetRow, TargetRow.id == ReadingRow.target_id)
        .where(
            ReadingRow.created_at <= as_of,
            or_(ReadingRow.target_id.is_(None), TargetRow.archived_at.is_(None)),
        )
    )
    if task_row is not None:
        query = query.where(ReadingRow.task_id == task_row)
    if unit_id is not None:
        query = query.where(ReadingRow.unit_id == unit_id)
    return query


def _progress_from(
    rows: Iterable[Sequence[Any]],
) -> dict[tuple[int, int], tuple[TargetProgress, ...]]:
    """Return the latest reading per pair and target from `_progress_query`'s rows (in any
    order: the latest is the one made last)."""
    latest: dict[tuple[int, int], dict[int | None, tuple[int, TargetProgress]]] = {}
    made: dict[tuple[int, int, int | None], tuple[datetime, int]] = {}
    for (
        task_row,
        u_id,
        target_id,
        what,
        unit,
        goal,
        value,
        share,
        text,
        place,
        at,
        reading_id,
    ) in rows:
        key = (task_row, u_id, target_id)
        if key in made and made[key] > (at, reading_id):
            continue
        made[key] = (at, reading_id)
        found = progress_of(target_id, what, unit, goal, value, share, text)
        order = place if place is not None else 1 << 30
        latest.setdefault((task_row, u_id), {})[target_id] = (order, found)
    return {
        pair: tuple(p for _, p in sorted(by_target.values(), key=lambda item: item[0]))
        for pair, by_target in latest.items()
    }


async def _pairs(
    session: AsyncSession,
    as_of: datetime,
    count_entries: bool,
    labels: Mapping[int, tuple[str, str, str]] | None,
) -> tuple[PairFacts, Mapping[int, tuple[str, str, str]]]:
    """Return every current pair as of an instant with its latest entry and first prompt
    left unanswered (`_pairs_from`), and the tasks' words they were named with (for the
    milestones)."""
    query = _pairs_query(session.get_bind().dialect.name, as_of, [], count_entries)
    rows = (await plain_rows(session, query)).all()
    # Task and unit words come once per task and unit, not decoded again on every row.
    labels = await labels_covering(session, map(itemgetter(0), rows), labels)
    names = await unit_names_by_row(session)
    return _pairs_from(rows, labels, names, count_entries), labels


def newest_entry_id(as_of: datetime | ColumnElement[datetime]) -> ScalarSelect[int]:
    """Select the id of a pair's newest entry up to an instant, for each row of task_owners
    it is correlated to: one probe of ix_entries_unit_task_time (newest first) per pair."""
    return (
        select(EntryRow.id)
        .where(
            EntryRow.unit_id == TaskOwnerRow.unit_id,
            EntryRow.task_id == TaskOwnerRow.task_id,
            EntryRow.created_at <= as_of,
        )
        .order_by(EntryRow.created_at.desc(), EntryRow.id.desc())
        .limit(1)
        .correlate(TaskOwnerRow)
        .scalar_subquery()
    )


def _pairs_query(
    dialect: str,
    as_of: datetime | ColumnElement[datetime],
    owners: Sequence[ColumnElement[bool]],
    count_entries: bool = True,
) -> AnySelect:
    """Select every current pair whose owner row matches `owners` (conditions on
    task_owners and units), with its entry count, its latest entry, the day of its first
    prompt sent after that entry (未报 counts from it) and its place in the plan.

    The latest entry is one index probe per pair (ix_entries_unit_task_time, newest first),
    joined in the same statement: no second query by id. PostgreSQL takes the entry's
    columns in that probe (a LATERAL join); SQLite, which has none, joins the entry by the
    id the probe found. The first prompt after it is one more probe
    (`_first_prompt_after`), whatever the outbox holds.
    """
    scope = and_(
        EntryRow.unit_id == TaskOwnerRow.unit_id,
        EntryRow.task_id == TaskOwnerRow.task_id,
        EntryRow.created_at <= as_of,
    )
    count = (
        select(func.count()).where(scope).correlate(TaskOwnerRow).scalar_subquery()
        if count_entries
        else literal(0)
    )
    if dialect == "postgresql":
        newest = (
            select(
                EntryRow.id, EntryRow.status, EntryRow.note, EntryRow.percent, EntryRow.created_at
            )
            .where(scope)
            .order_by(EntryRow.created_at.desc(), EntryRow.id.desc())
            .limit(1)
            .correlate(TaskOwnerRow)
            .lateral("latest")
        )
        target: FromClause | type[EntryRow] = newest
        entry: Any = newest.c
        joined: ColumnElement[bool] = true()
    else:
        by_id = aliased(EntryRow, name="latest")
        target, entry, joined = by_id, by_id, by_id.id == newest_entry_id(as_of)
    return (
        select(
            TaskRow.id,
            UnitRow.id,
            TaskOwnerRow.role,
            count,
            entry.id,
            entry.status,
            entry.note,
            entry.percent,
            entry.created_at,
            _first_prompt_after(entry.created_at, as_of),
            TaskRow.position,
            TaskOwnerRow.position,
        )
        .select_from(TaskOwnerRow)
        .join(TaskRow, TaskRow.id == TaskOwnerRow.task_id)
        .join(UnitRow, UnitRow.id == TaskOwnerRow.unit_id)
        .outerjoin(target, joined)
        .where(TaskRow.archived_at.is_(None), *owners)
    )


# A pair row's place: its task's, and its owner's among the task's owners (its last two
# columns; a C getter, as thousands are sorted a pass).
_IN_PLAN_ORDER = itemgetter(-2, -1)


def _pairs_from(
    rows: Iterable[Sequence[Any]],
    labels: Mapping[int, tuple[str, str, str]],
    names: Mapping[int, str],
    count_entries: bool,
) -> PairFacts:
    """Return the pairs `_pairs_query` selected in plan order (rows in any order), by id
    the latest entry of each pair that has one, and per pair the day of its first prompt
    sent after that entry."""
    pairs: list[Pair] = []
    latest: dict[int, Latest] = {}
    unanswered: dict[tuple[int, int], date] = {}
    for t, u, role, counted, entry_id, status, note, percent, at, prompted, _, _ in sorted(
        rows, key=_IN_PLAN_ORDER
    ):
        code, chapter, title = labels[t]
        entries = int(counted or 0) if count_entries else int(entry_id is not None)
        pairs.append((t, code, chapter, title, u, names[u], role, entries, entry_id))
        if entry_id is not None:
            latest[entry_id] = (status, note, percent, at)
        if prompted is not None:
            unanswered[(t, u)] = prompted
    return PairFacts(pairs, latest, unanswered)


class PairFacts(NamedTuple):
    """What `_pairs_query` gives: the pairs in plan order, the latest entries by id, and
    per pair the day of the first prompt sent after its latest entry."""

    pairs: list[Pair]
    latest: dict[int, Latest]
    unanswered: dict[tuple[int, int], date]


def _first_prompt_after(
    reported: ColumnElement[datetime], as_of: datetime | ColumnElement[datetime]
) -> ScalarSelect[date | None]:
    """Select the day of the pair's first prompt sent by `as_of` and dated after its latest
    report's instant (correlated to the pair's task_owners row; NULL: none).

    One probe of ix_outbox_items_pair_day from that day on: a pair's prompts pile up year
    after year, and reading them all (or probing for the report once per prompt) would make
    every /status slower as the outbox grows.
    """
    return (
        select(OutboxItemRow.point_date)
        .join(OutboxRow, OutboxRow.id == OutboxItemRow.outbox_id)
        .where(
            OutboxItemRow.task_id == TaskOwnerRow.task_id,
            OutboxItemRow.unit_id == TaskOwnerRow.unit_id,
            OutboxItemRow.point_date.is_not(None),
            # A prompt dated after the report's instant (a date compares as its midnight):
            # prompts go at the send time, so one on the report's day came first. One bound
            # for the index whether or not the pair has reported.
            OutboxItemRow.point_date > func.coalesce(reported, _BEFORE_ANY_REPORT),
            OutboxRow.kind == "prompt",
            OutboxRow.sent_at.is_not(None),
            OutboxRow.sent_at <= as_of,
        )
        .order_by(OutboxItemRow.point_date)
        .limit(1)
        .correlate_except(OutboxItemRow, OutboxRow)
        .scalar_subquery()
    )


# Earlier than any report: the bound for a pair that never reported.
_BEFORE_ANY_REPORT = literal(datetime(1, 1, 1, tzinfo=UTC), UtcDateTime())


@cache
def _scoped_read(dialect: str, by_unit: bool, by_task: bool, count_entries: bool) -> Together:
    """Return the one statement that reads one unit's, one task's or one pair's facts: its
    pairs (with their prompts), milestones, pauses and readings with the plan's words (built
    once per dialect and scope, run with the instant, the unit's name and the task's row)."""
    as_of = bindparam("as_of", type_=UtcDateTime())
    unit = bindparam("unit", type_=String()) if by_unit else None
    task_row = bindparam("task_row", type_=Integer()) if by_task else None
    unit_id = (
        select(UnitRow.id).where(UnitRow.name == unit).scalar_subquery()
        if unit is not None
        else None
    )
    owners = owner_scope(task_row, unit_id)
    milestones = MilestoneReads.of(as_of, task_row=task_row, unit_id=unit_id)
    year = plan_year_query()
    return Together(
        _pairs_query(dialect, as_of, owners, count_entries),
        *milestones.queries,
        pause_queries.events_query(as_of, unit),
        _progress_query(as_of, task_row, unit_id),
        task_labels_query(*owners),
        unit_names_query(),
        select(year),
    )


def _scoped(
    dialect: str, as_of: datetime, unit: str | None, task_row: int | None, count_entries: bool
) -> tuple[Together, dict[str, object]]:
    """Return the statement that reads one unit's, one task's or one pair's facts, and the
    values to run it with."""
    statement = _scoped_read(dialect, unit is not None, task_row is not None, count_entries)
    params: dict[str, object] = {"as_of": as_of}
    if unit is not None:
        params["unit"] = unit
    if task_row is not None:
        params["task_row"] = task_row
    return statement, params


def _scoped_facts(
    found: Sequence[list[tuple[Any, ...]]], count_entries: bool, signoff: bool
) -> StatusFacts:
    """Return the status facts `_scoped_read`'s parts give."""
    (
        pair_rows,
        done,
        steps,
        moves,
        events,
        milestone_rows,
        pause_rows,
        readings,
        label_rows,
        name_rows,
        year_rows,
    ) = found
    labels = labels_from(label_rows)
    names: dict[int, str] = dict(name_rows)
    pairs, latest, unanswered = _pairs_from(pair_rows, labels, names, count_entries)
    if not pairs:
        return StatusFacts([], {}, {}, {}, {}, {}, None)
    milestones = MilestoneReads.statuses(
        done, steps, moves, events, milestone_rows, labels=labels, names=names, signoff=signoff
    )
    return StatusFacts(
        pairs=pairs,
        milestones=by_pair(milestones),
        latest=latest,
        unanswered=unanswered,
        paused=pause_queries.events_from(pause_rows),
        progress=_progress_from(readings),
        year=year_rows[0][0] if year_rows else None,
    )
