"""Check the ledger's hash chains and report the first break of each (task, unit) chain."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from storage.append_only import APPEND_ONLY_TABLES
from storage.chain import (
    DECISION_FIELDS,
    ENTRY_FIELDS,
    EVENT_FIELDS,
    GENESIS,
    READING_FIELDS,
    REQUEST_FIELDS,
    decision_hash,
    entry_hash,
    event_hash,
    reading_hash,
    request_hash,
)
from storage.models import (
    EntryRow,
    ExtensionDecisionRow,
    ExtensionRow,
    MilestoneEventRow,
    ReadingRow,
    TaskRow,
    UnitRow,
)

STREAM_ROWS = 5_000
CHANGED = "content does not match its hash (changed after it was written)"


@dataclass(frozen=True, slots=True)
class Break:
    """The first row of a chain that does not check out, and why."""

    kind: str
    """"entry", "extension request", "extension decision", "progress reading" or
    "reported event"."""
    row_id: int
    pair: str
    """The chain it belongs to, as "2.3/社救科"."""
    problem: str

    def __str__(self) -> str:
        return f"{self.kind} {self.row_id} of {self.pair}: {self.problem}"


@dataclass(frozen=True, slots=True)
class VerifyResult:
    """What `verify_ledger` checked and found."""

    entries: int
    chains: int
    requests: int
    decisions: int
    breaks: tuple[Break, ...]
    unguarded: tuple[str, ...] = field(default=())
    """Append-only tables whose refusing trigger is missing (dropped by someone)."""

    @property
    def ok(self) -> bool:
        """Return whether every chain checks out."""
        return not self.breaks

    def summary(self) -> str:
        """Return the one-line verdict `duban verify` prints last."""
        if self.ok:
            return f"ledger verified: {self.entries} entries in {self.chains} chains"
        return (
            f"ledger NOT verified: {len(self.breaks)} broken chain(s) among "
            f"{self.entries} entries in {self.chains} chains"
        )


@dataclass(slots=True)
class _Chain:
    last_id: int | None = None
    last_hash: str = GENESIS
    broken: bool = False


async def verify_ledger(session: AsyncSession) -> VerifyResult:
    """Walk every chain (entries, then extension requests and decisions) and return the result.

    Entries are streamed in one statement, so the walk sees one snapshot on either database
    and never holds more than a few thousand rows.
    """
    names = await _pair_names(session)
    chains: dict[tuple[int, int], _Chain] = {}
    breaks: list[Break] = []
    count = 0
    columns = [getattr(EntryRow, name) for name in ENTRY_FIELDS]
    stream = await session.stream(
        select(EntryRow.id, EntryRow.prev_hash, EntryRow.hash, *columns)
        .order_by(EntryRow.id)
        .execution_options(yield_per=STREAM_ROWS)
    )
    async for row in stream:
        count += 1
        values = row._mapping
        pair = (values["task_id"], values["unit_id"])
        chain = chains.setdefault(pair, _Chain())
        if not chain.broken:
            problem = _entry_problem(values, chain)
            if problem is not None:
                chain.broken = True
                breaks.append(Break("entry", values["id"], names(pair), problem))
        chain.last_id, chain.last_hash = values["id"], values["hash"]
    requests, decisions = await _check_extensions(session, names, breaks)
    await _check_readings(session, names, breaks)
    return VerifyResult(
        entries=count,
        chains=len(chains),
        requests=requests,
        decisions=decisions,
        breaks=tuple(breaks),
        unguarded=await unguarded_tables(session),
    )


async def unguarded_tables(session: AsyncSession) -> tuple[str, ...]:
    """Return the append-only tables that have lost their refusing triggers."""
    if session.get_bind().dialect.name == "postgresql":
        query = text(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
            " WHERE NOT t.tgisinternal AND t.tgname = c.relname || '_append_only'"
            " AND t.tgenabled <> 'D'"
        )
    else:
        query = text(
            "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger'"
            " AND name IN (tbl_name || '_no_update', tbl_name || '_no_delete')"
            " GROUP BY tbl_name HAVING count(*) = 2"
        )
    guarded = set(await session.scalars(query))
    return tuple(t for t in APPEND_ONLY_TABLES if t not in guarded)


def _entry_problem(values: Mapping[Any, Any], chain: _Chain) -> str | None:
    if entry_hash(values["prev_hash"], values) != values["hash"]:
        return CHANGED
    if values["prev_hash"] == chain.last_hash:
        return None
    if chain.last_id is None:
        return "its previous hash is not the start of a chain (entries before it are missing)"
    return (
        f"previous hash does not match entry {chain.last_id} "
        f"(an entry between them was removed, or entry {chain.last_id} was rewritten)"
    )


async def _check_extensions(
    session: AsyncSession, names: _Names, breaks: list[Break]
) -> tuple[int, int]:
    requests = await session.execute(
        select(ExtensionRow, EntryRow.hash)
        .join(EntryRow, EntryRow.id == ExtensionRow.entry_id)
        .order_by(ExtensionRow.id)
    )
    anchors: dict[int, str] = {}
    request_count = 0
    for request, entry_hash_ in requests:
        request_count += 1
        anchors[request.id] = request.hash
        values = {name: getattr(request, name) for name in REQUEST_FIELDS}
        if request_hash(entry_hash_, values) != request.hash:
            pair = names((request.task_id, request.unit_id))
            problem = f"{CHANGED}, or its entry {request.entry_id} was rewritten"
            breaks.append(Break("extension request", request.id, pair, problem))
    decisions = await session.execute(
        select(ExtensionDecisionRow, ExtensionRow.task_id, ExtensionRow.unit_id)
        .join(ExtensionRow, ExtensionRow.id == ExtensionDecisionRow.request_id)
        .order_by(ExtensionDecisionRow.id)
    )
    decision_count = 0
    for decision, task_row, unit_id in decisions:
        decision_count += 1
        values = {name: getattr(decision, name) for name in DECISION_FIELDS}
        if decision_hash(anchors[decision.request_id], values) != decision.hash:
            problem = f"{CHANGED}, or its request {decision.request_id} was rewritten"
            breaks.append(
                Break("extension decision", decision.id, names((task_row, unit_id)), problem)
            )
    return request_count, decision_count


async def _check_readings(session: AsyncSession, names: _Names, breaks: list[Break]) -> None:
    """Check what the core read in entries (progress, events) against their entries' hashes."""
    checks = (
        ("progress reading", ReadingRow, READING_FIELDS, reading_hash),
        ("reported event", MilestoneEventRow, EVENT_FIELDS, event_hash),
    )
    for kind, model, fields, hash_of in checks:
        rows = await session.execute(
            select(model, EntryRow.hash)
            .join(EntryRow, EntryRow.id == model.entry_id)
            .order_by(model.id)
        )
        for found, anchor in rows:
            row: Any = found  # a ReadingRow or a MilestoneEventRow: the same columns used here
            values = {name: getattr(row, name) for name in fields}
            if hash_of(anchor, values) != row.hash:
                problem = f"{CHANGED}, or its entry {row.entry_id} was rewritten"
                breaks.append(Break(kind, row.id, names((row.task_id, row.unit_id)), problem))


class _Names:
    """Show a (task row, unit id) pair as "2.3/社救科" (archived tasks keep their last code)."""

    def __init__(self, tasks: dict[int, str], units: dict[int, str]) -> None:
        self.tasks = tasks
        self.units = units

    def __call__(self, pair: tuple[int, int]) -> str:
        task_row, unit_id = pair
        return f"{self.tasks.get(task_row, f'#{task_row}')}/{self.units.get(unit_id, unit_id)}"


async def _pair_names(session: AsyncSession) -> _Names:
    tasks: dict[int, str] = {}
    for row, code in await session.execute(select(TaskRow.id, TaskRow.task_id)):
        tasks[row] = code
    units: dict[int, str] = {}
    for row, name in await session.execute(select(UnitRow.id, UnitRow.name)):
        units[row] = name
    return _Names(tasks, units)

