"""Status over 1,000,000 progress entries, on SQLite and on PostgreSQL.

Run: .venv/bin/python benchmarks/bench_storage.py [--entries N] [--only sqlite|postgresql]
Loads the seed plan, bulk-inserts N entries spread over the 66 (task, unit) rows and the
year (executemany on SQLite, COPY on PostgreSQL), then times one unit's status (target
< 100 ms) and the whole-bureau summary. PostgreSQL uses a throwaway database on
127.0.0.1:5432 that is dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import secrets
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg

from plan_data import default_plan_path
from storage.bootstrap import open_ledger
from storage.chain import chain_rows
from storage.database import Database
from storage.plans import current_tasks, unit_ids
from storage.status import status_rows

START = datetime(2022, 1, 1, tzinfo=UTC)
AS_OF = datetime(2022, 12, 20, 2, 0, tzinfo=UTC)
COLUMNS = [
    "task_id", "unit_id", "milestone_id", "status", "note", "percent", "proposed_date",
    "reporter", "reporter_chat_id", "created_at", "source", "source_key",
    "prev_hash", "hash",
]  # fmt: skip
STATUSES = ["in_progress"] * 90 + ["blocked"] * 6 + ["done"] * 4


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
             "bench", None, at, "telegram", 10_000_000 + n)
        )  # fmt: skip
    # Each (task, unit) pair's hash chain, as record_entry would have written it.
    chained = chain_rows(dict(zip(COLUMNS, row, strict=False)) for row in rows)
    return [tuple(row[c] for c in COLUMNS) for row in chained]


def load_sqlite(path: Path, rows: list[tuple[Any, ...]]) -> None:
    """Insert rows with executemany in one transaction (naive UTC text, as storage keeps it)."""
    conn = sqlite3.connect(path)
    try:
        text_rows = [
            (*r[:9], r[9].replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f"), *r[10:])
            for r in rows
        ]
        placeholders = ", ".join("?" for _ in COLUMNS)
        with conn:
            conn.executemany(
                f"INSERT INTO progress_entries ({', '.join(COLUMNS)}) VALUES ({placeholders})",  # noqa: S608
                text_rows,
            )
        conn.execute("ANALYZE")
    finally:
        conn.close()


async def load_postgres(dsn: str, rows: list[tuple[Any, ...]]) -> None:
    """COPY rows in, then VACUUM ANALYZE so that counts can use index-only scans."""
    conn = await asyncpg.connect(dsn)
    try:
        await conn.copy_records_to_table("progress_entries", records=rows, columns=COLUMNS)
        await conn.execute("VACUUM ANALYZE progress_entries")
    finally:
        await conn.close()


async def timed(label: str, run: Callable[[], Awaitable[int]], repeat: int) -> float:
    """Run `run` repeat times; print and return the median in milliseconds."""
    await run()  # warm caches and statement cache
    times = []
    size = 0
    for _ in range(repeat):
        began = time.perf_counter()
        size = await run()
        times.append((time.perf_counter() - began) * 1000)
    median = statistics.median(times)
    print(f"  {label:<34} median {median:7.1f} ms  min {min(times):7.1f} ms  ({size} rows)")
    return median


async def bench(url: str, loader: Callable[[list[tuple[Any, ...]]], Awaitable[None]],
                count: int) -> None:  # fmt: skip
    """Load the plan and entries, then time the status queries."""
    db = await open_ledger(url, default_plan_path(), START)
    try:
        found = await pairs(db)
        rows = generate(found, count)
        began = time.perf_counter()
        await loader(rows)
        print(f"  loaded {count:,} entries in {time.perf_counter() - began:.1f} s")

        async def one_unit(unit: str) -> int:
            async with db.session(readonly=True) as session:
                return len(await status_rows(session, AS_OF, unit))

        async def bureau() -> int:
            async with db.session(readonly=True) as session:
                return len(await status_rows(session, AS_OF))

        for unit in ("社区科", "婚姻科"):
            await timed(f"status of {unit}", lambda unit=unit: one_unit(unit), 15)  # type: ignore[misc]
        await timed("whole-bureau summary (66 rows)", bureau, 5)
    finally:
        await db.close()


async def main() -> None:
    """Run the benchmark on the chosen databases."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    if args.only in (None, "sqlite"):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "bench.db"
            print(f"SQLite ({path})")

            async def sqlite_loader(rows: list[tuple[Any, ...]]) -> None:
                await asyncio.to_thread(load_sqlite, path, rows)

            await bench(f"sqlite:///{path}", sqlite_loader, args.entries)
    if args.only in (None, "postgresql"):
        name = f"duban_bench_{secrets.token_hex(4)}"
        admin = await asyncpg.connect(host="127.0.0.1", user="postgres", database="postgres")
        await admin.execute(f'CREATE DATABASE "{name}"')
        dsn = f"postgresql://postgres@127.0.0.1:5432/{name}"
        print(f"PostgreSQL ({name})")
        try:

            async def pg_loader(rows: list[tuple[Any, ...]]) -> None:
                await load_postgres(dsn, rows)

            await bench(dsn, pg_loader, args.entries)
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.close()


if __name__ == "__main__":
    asyncio.run(main())
