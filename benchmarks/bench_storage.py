"""Status over 1,000,000 progress entries, on SQLite and on PostgreSQL.

Run: .venv/bin/python benchmarks/bench_storage.py [--quick] [--entries N]
     [--only sqlite|postgresql]

Loads the seed plan, bulk-inserts N entries spread over the 66 (task, unit) rows and the
year (executemany on SQLite, COPY on PostgreSQL; done entries name a milestone, so most
rows stay open: the worst case) and the sent prompts such a history holds (about 49,000
items for 1,000,000 entries: 未报 is read from them). Then times one unit's status and the
whole bureau's as a chat's /status reads them (target < 100 ms; no entry counts, which a
chat never shows) and as `duban status` reads them (each pair's entries counted), each
beside a raw SQL aggregate of the same entries (count and latest per (unit, task)) timed
the same way, and a reconcile pass's minute tick on that ledger (target < 200 ms).
PostgreSQL uses a throwaway database on 127.0.0.1:5432. --quick: 100,000 entries and fewer
repeats.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import asyncpg

from benchmarks.common import (
    LOAD_COLUMNS,
    Figure,
    RawSQL,
    Timing,
    chained,
    print_figures,
    sqlite_insert,
    sqlite_row,
    sqlite_time,
    throwaway_database,
    time_async,
)
from plan_data import default_plan_path
from scheduler.ledger_pass import reconcile
from scheduler.settings import load_settings
from storage import bindings
from storage.bootstrap import open_ledger
from storage.database import Database
from storage.plans import current_tasks, unit_ids, unit_names
from storage.status_queries import read_rows

START = datetime(2022, 1, 1, tzinfo=UTC)
AS_OF = datetime(2022, 12, 20, 2, 0, tzinfo=UTC)
STATUSES = ["in_progress"] * 90 + ["blocked"] * 6 + ["done"] * 4
TARGET_MS = 100.0
STEADY_TARGET_MS = 200.0  # a reconcile pass (issue 13)
RAW_REFERENCE = "raw SQL aggregate of the same entries"
# (label, unit or None for the whole bureau, target, whether each pair's entries are counted):
# a chat's /status reads "any entry or none" (`core.queries.rows`), `duban status` counts.
CASES: list[tuple[str, str | None, float | None, bool]] = [
    ("/status 社区科", "社区科", TARGET_MS, False),
    ("/status 婚姻科", "婚姻科", TARGET_MS, False),
    ("/status, whole bureau (66 rows)", None, TARGET_MS, False),
    ("duban status 社区科, entries counted", "社区科", TARGET_MS, True),
    ("duban status, whole bureau, entries counted", None, None, True),
]
RAW = (
    "SELECT e.unit_id, e.task_id, count(*), max(e.created_at) FROM progress_entries e"
    " JOIN units u ON u.id = e.unit_id WHERE e.created_at <= ?{unit}"
    " GROUP BY e.unit_id, e.task_id"
)


async def pairs(db: Database) -> list[tuple[int, int, list[int]]]:
    """Return (task row, unit row, deadline milestone ids) for every current pair."""
    async with db.session(readonly=True) as session:
        units = await unit_ids(session)
        tasks = await current_tasks(session)
    return [
        (t.row, units[u], [m.id for m in t.milestones if m.kind == "deadline"])
        for t in tasks
        for u in t.units
    ]


def generate(found: list[tuple[int, int, list[int]]], count: int) -> list[tuple[Any, ...]]:
    """Return `count` entries in time order, spread evenly over pairs and the year."""
    rng = random.Random(7)
    span = (AS_OF - START).total_seconds()
    rows = []
    for n in range(count):
        task_row, unit_row, milestones = found[n % len(found)]
        status = rng.choice(STATUSES)
        # A done entry names one of its milestones, so most rows stay open (the worst case).
        milestone = rng.choice(milestones) if status == "done" and milestones else None
        if status == "done" and milestone is None:
            status = "in_progress"
        at = START + timedelta(seconds=span * n / count)
        rows.append(
            (task_row, unit_row, milestone, status, f"note {n}", rng.randint(0, 100), None,
             "bench", None, at, "telegram", f"bench:{n}")
        )  # fmt: skip
    return rows


def load_sqlite(path: str, rows: list[tuple[Any, ...]]) -> None:
    """Insert rows with executemany in one transaction (naive UTC text, as storage keeps it)."""
    conn = sqlite3.connect(path)
    try:
        with conn:
            sqlite_insert(conn, "progress_entries", LOAD_COLUMNS, [sqlite_row(r) for r in rows])
        conn.execute("ANALYZE")
    finally:
        conn.close()


async def load(url: str, rows: list[tuple[Any, ...]]) -> None:
    """Bulk-load the entries, hash-chained per (task, unit), with the bare driver."""
    rows = chained(rows, {})
    if url.startswith("sqlite"):
        await asyncio.to_thread(load_sqlite, url.split("///", 1)[1], rows)
        return
    conn = await asyncpg.connect(url)
    try:
        await conn.copy_records_to_table("progress_entries", records=rows, columns=LOAD_COLUMNS)
        await conn.execute("VACUUM ANALYZE progress_entries")
    finally:
        await conn.close()


# The prompts a ledger of this many entries has sent: 1,000,000 entries are about 60 years of
# the seed plan's reports, and a year of it sends about 816 prompt items (`duban simulate`).
PROMPT_ITEMS_PER_ENTRY = 60 * 816 / 1_000_000
OUTBOX_COLUMNS = [
    "dedupe_key", "chat_id", "recipient", "kind", "payload", "not_before", "created_at",
    "attempts", "parts_sent", "sent_at",
]  # fmt: skip
ITEM_COLUMNS = ["outbox_id", "task_id", "unit_id", "milestone_id", "item_kind", "point_date"]


def prompt_history(
    found: list[tuple[int, int, list[int]]], items: int
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Return about `items` sent prompt items over the year, a message per unit and day
    naming each of the unit's pairs (outbox rows with ids from 1, and their items)."""
    units: dict[int, list[int]] = {}
    for task_row, unit_row, _ in found:
        units.setdefault(unit_row, []).append(task_row)
    days = max(1, items // len(found))
    span = (AS_OF - START).total_seconds()
    messages: list[tuple[Any, ...]] = []
    rows: list[tuple[Any, ...]] = []
    for n in range(days):
        at = START + timedelta(seconds=span * n / days, hours=1)
        for unit_row, tasks in units.items():
            messages.append(
                (f"bench:{n}:{unit_row}", unit_row, "unit", "prompt", '{"version":1}', at, at,
                 1, 1, at)
            )  # fmt: skip
            rows += [(len(messages), t, unit_row, None, "checkin", at.date()) for t in tasks]
    return messages, rows


async def load_prompts(url: str, found: list[tuple[int, int, list[int]]], items: int) -> None:
    """Bulk-load a sent prompt history into the empty outbox, with the bare driver."""
    messages, rows = prompt_history(found, items)
    if url.startswith("sqlite"):
        conn = sqlite3.connect(url.split("///", 1)[1])
        try:
            with conn:
                sqlite_insert(conn, "outbox", OUTBOX_COLUMNS, map(_sqlite_times, messages))
                days = [(*r[:5], r[5].isoformat()) for r in rows]
                sqlite_insert(conn, "outbox_items", ITEM_COLUMNS, days)
            conn.execute("ANALYZE")
        finally:
            conn.close()
        return
    pg = await asyncpg.connect(url)
    try:
        await pg.copy_records_to_table("outbox", records=messages, columns=OUTBOX_COLUMNS)
        await pg.copy_records_to_table("outbox_items", records=rows, columns=ITEM_COLUMNS)
        await pg.execute("VACUUM ANALYZE outbox")
        await pg.execute("VACUUM ANALYZE outbox_items")
    finally:
        await pg.close()


def _sqlite_times(message: tuple[Any, ...]) -> tuple[Any, ...]:
    text = sqlite_time(message[-1])
    return (*message[:5], text, text, *message[7:9], text)


async def bench(kind: str, count: int, repeat: int) -> list[Figure]:
    """Load a ledger and time the status queries beside the raw aggregate."""
    figures = []
    async with throwaway_database(kind) as url:
        db = await open_ledger(url, default_plan_path(), START)
        try:
            found = await pairs(db)
            await load(url, generate(found, count))
            await load_prompts(url, found, round(count * PROMPT_ITEMS_PER_ENTRY))
            async with RawSQL(url) as raw_sql:

                async def status(unit: str | None, counted: bool) -> int:
                    return len(await read_rows(db, AS_OF, unit, count_entries=counted))

                async def raw_status(unit: str | None) -> int:
                    if unit is None:
                        return await raw_sql.rows(RAW.format(unit=""), AS_OF)
                    return await raw_sql.rows(RAW.format(unit=" AND u.name = ?"), AS_OF, unit)

                for label, unit, target, counted in CASES:
                    await status(unit, counted)  # warm caches and the statement cache
                    await raw_status(unit)
                    took = await time_async(
                        lambda unit=unit, counted=counted: status(unit, counted),  # type: ignore[misc]
                        repeat,
                    )
                    raw = await time_async(lambda unit=unit: raw_status(unit), repeat)  # type: ignore[misc]
                    name = f"{label}, {count:,} entries, {kind}"
                    figures.append(Figure.in_ms(name, took, target, RAW_REFERENCE, raw))
                # The minute tick on such a ledger: it must not read it all.
                raw = await time_async(lambda: raw_status(None), repeat)
                took = await steady_minutes(db, repeat)
                name = f"reconcile, steady minute, {count:,} entries, {kind}"
                figures.append(Figure.in_ms(name, took, STEADY_TARGET_MS, RAW_REFERENCE, raw))
        finally:
            await db.close()
    return figures


async def steady_minutes(db: Database, repeat: int) -> Timing:
    """Bind a chat to every unit and to leadership, run the pass that queues the day's
    prompts, then time the passes of the minutes after it (a running service's minute tick,
    with nothing new to write)."""
    settings = load_settings()
    calendar = settings.calendar()
    async with db.session() as session:
        for index, unit in enumerate(await unit_names(session)):
            await bindings.bind(session, 100 + index, unit, START)
        await bindings.bind(session, 1, None, START)
    await reconcile(db, AS_OF, settings, calendar)
    minutes = iter(range(1, repeat + 1))
    return await time_async(
        lambda: reconcile(db, AS_OF + timedelta(minutes=next(minutes)), settings, calendar),
        repeat,
    )


async def run(kinds: list[str], count: int, repeat: int) -> list[Figure]:
    """Measure each kind of database."""
    return [f for kind in kinds for f in await bench(kind, count, repeat)]


def measure(quick: bool) -> list[Figure]:
    """Return the figures on both databases (quick: 100,000 entries)."""
    count, repeat = (100_000, 5) if quick else (1_000_000, 15)
    return asyncio.run(run(["sqlite", "postgresql"], count, repeat))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--entries", type=int)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    kinds = [args.only] if args.only else ["sqlite", "postgresql"]
    count = args.entries or (100_000 if args.quick else 1_000_000)
    print_figures(asyncio.run(run(kinds, count, 5 if args.quick else 15)))
