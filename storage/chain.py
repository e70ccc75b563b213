"""The ledger's hash chains: each entry seals its content and the entry before it.

Every (task, unit) pair has one chain of progress entries in the order they were written
(entry id order). An entry stores `prev_hash`, the `hash` of the pair's previous entry
(`GENESIS` for the first), and its own `hash`:

    hash = sha256(prev_hash + "\\n" + canonical JSON of the entry's meaningful fields)

Changing an entry's content breaks its own hash; rewriting its hash as well breaks the
next entry's `prev_hash`; removing an entry breaks the link of the one after it. Extension
requests and decisions hang off the chain: a request's hash starts from its entry's hash,
a decision's from its request's hash, so neither can change without showing. So do what the
core read in an entry (progress against targets, a reported event and its due date): they
move lights and deadlines, so each starts from its entry's hash too.

The functions here are pure except `link_entry`, which reads the pair's latest hash and, on
PostgreSQL, holds a per-pair lock until the transaction ends so that two writers never fork
a chain (SQLite's BEGIN IMMEDIATE already lets one writer in at a time; a unique index on
(task, unit, prev_hash) refuses a fork on both, whatever happens).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import EntryRow

GENESIS = "0" * 64
"""The `prev_hash` of the first entry of every chain."""

FORMAT = 1
"""The version of the canonical serialisation; part of every hashed text."""

ENTRY_FIELDS = (
    "task_id",
    "unit_id",
    "milestone_id",
    "status",
    "note",
    "percent",
    "proposed_date",
    "reporter",
    "reporter_chat_id",
    "created_at",
    "source",
    "source_key",
)
REQUEST_FIELDS = (
    "entry_id",
    "task_id",
    "unit_id",
    "milestone_id",
    "old_date",
    "new_date",
    "reason",
    "requested_at",
)
DECISION_FIELDS = ("request_id", "approve", "decided_by", "decided_at")
READING_FIELDS = ("entry_id", "task_id", "unit_id", "target_id", "value", "share", "text",
                  "created_at")  # fmt: skip
EVENT_FIELDS = ("entry_id", "task_id", "unit_id", "milestone_id", "event_day", "due",
                "created_at")  # fmt: skip

_LOCK_NAMESPACE = b"duban-chain"


def canonical(kind: str, fields: Mapping[str, Any], names: tuple[str, ...]) -> str:
    """Return the canonical text of a row: sorted-key compact JSON, UTC ISO times."""
    payload = {name: _plain(fields[name]) for name in names}
    payload["kind"] = kind
    payload["v"] = FORMAT
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def entry_hash(prev: str, fields: Mapping[str, Any]) -> str:
    """Return the hash of an entry with these column values chained to `prev`."""
    return _digest(prev, canonical("entry", fields, ENTRY_FIELDS))


def request_hash(entry: str, fields: Mapping[str, Any]) -> str:
    """Return the hash of an extension request, anchored on its entry's hash."""
    return _digest(entry, canonical("extension_request", fields, REQUEST_FIELDS))


def decision_hash(request: str, fields: Mapping[str, Any]) -> str:
    """Return the hash of a decision on an extension request, anchored on the request's hash."""
    return _digest(request, canonical("extension_decision", fields, DECISION_FIELDS))


def reading_hash(entry: str, fields: Mapping[str, Any]) -> str:
    """Return the hash of a progress reading, anchored on its entry's hash: what the lights
    and 序时进度 read from a report cannot change without showing."""
    return _digest(entry, canonical("progress_reading", fields, READING_FIELDS))


def event_hash(entry: str, fields: Mapping[str, Any]) -> str:
    """Return the hash of a reported event (and the due date it gives), anchored on its
    entry's hash."""
    return _digest(entry, canonical("milestone_event", fields, EVENT_FIELDS))


def chain_rows(
    rows: Iterable[Mapping[str, Any]], heads: dict[tuple[Any, Any], str] | None = None
) -> list[dict[str, Any]]:
    """Return entry rows, in the order they are written, with `prev_hash` and `hash` set.

    For bulk loads (benchmarks, migrations); `heads` carries each pair's last hash from one
    batch to the next and is updated in place.
    """
    heads = {} if heads is None else heads
    chained = []
    for row in rows:
        pair = (row["task_id"], row["unit_id"])
        prev = heads.get(pair, GENESIS)
        heads[pair] = entry_hash(prev, row)
        chained.append({**row, "prev_hash": prev, "hash": heads[pair]})
    return chained


def pair_lock_key(task_row: int, unit_id: int) -> int:
    """Return the PostgreSQL advisory lock key of a (task, unit) chain (a signed 64-bit int)."""
    digest = hashlib.sha256(_LOCK_NAMESPACE + f":{task_row}:{unit_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


async def link_entry(session: AsyncSession, values: Mapping[str, Any]) -> dict[str, str]:
    """Return `prev_hash` and `hash` for a new entry with these column values.

    On PostgreSQL this takes the pair's transaction-scoped advisory lock first, so the
    chain's head cannot move until this transaction commits (READ COMMITTED: the lookup
    after the lock sees whatever the previous holder committed).
    """
    task_row, unit_id = values["task_id"], values["unit_id"]
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(
            text("SELECT pg_advisory_xact_lock(:key)"),
            {"key": pair_lock_key(task_row, unit_id)},
        )
    last = await session.scalar(
        select(EntryRow.hash)
        .where(EntryRow.task_id == task_row, EntryRow.unit_id == unit_id)
        .order_by(EntryRow.id.desc())
        .limit(1)
    )
    prev = GENESIS if last is None else last
    return {"prev_hash": prev, "hash": entry_hash(prev, values)}


def _digest(prev: str, body: str) -> str:
    return hashlib.sha256(f"{prev}\n{body}".encode()).hexdigest()


def _plain(value: object) -> object:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime in a hashed row")
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        # The shortest text that reads back as this float: the same on both databases.
        return repr(value)
    raise TypeError(f"cannot hash a {type(value).__name__}")
