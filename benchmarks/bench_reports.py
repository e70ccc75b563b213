"""Benchmark the weekly digest and the ledger export over 1,000,000 progress entries.

Run: .venv/bin/python benchmarks/bench_reports.py [--entries N] [--db sqlite|postgresql|both]
     [--keep-sqlite FILE]
Generates a seed-plan ledger with N entries spread over 2022 (SQLite in a temp folder,
PostgreSQL in a throwaway database on 127.0.0.1:5432), then times build_digest as of two
Mondays and write_ledger of every entry to an .xlsx file.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import secrets
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import asyncpg
from sqlalchemy import insert, select

from plan_data import default_plan_path
from reports.chart import render_chart
from reports.digest import build_digest, digest_json, render_digest
from reports.ledger_xlsx import write_ledger
from storage.bootstrap import open_ledger
from storage.chain import chain_rows
from storage.database import Database
from storage.models import EntryRow, TaskOwnerRow
from storage.progress import count_entries

SH = ZoneInfo("Asia/Shanghai")
START = datetime(2022, 1, 4, 9, tzinfo=SH)
YEAR_SECONDS = 350 * 24 * 3600
STATUSES = ["in_progress"] * 8 + ["blocked", "done", "extension"]
NOTES = ["已完成3家机构洽谈", "60% 已签约3家", "选址未定，需协调街道", "按计划推进", None]
BATCH = 20_000
END = datetime(2023, 1, 3, 9, tzinfo=SH)
T = TypeVar("T")


async def generate(db: Database, entries: int, seed: int = 7) -> float:
    """Insert `entries` random entries over the seed plan's (task, unit) pairs; return seconds."""
    rng = random.Random(seed)
    started = time.perf_counter()
    async with db.session() as session:
        pairs = (await session.execute(select(TaskOwnerRow.task_id, TaskOwnerRow.unit_id))).all()
    done = 0
    heads: dict[tuple[int, int], str] = {}  # each pair's hash chain, carried across batches
    while done < entries:
        size = min(BATCH, entries - done)
        rows = []
        for _ in range(size):
            task_id, unit_id = rng.choice(pairs)
            rows.append(
                {
                    "task_id": task_id,
                    "unit_id": unit_id,
                    "milestone_id": None,
                    "status": rng.choice(STATUSES),
                    "note": rng.choice(NOTES),
                    "percent": rng.choice([None, 30, 60, 90]),
                    "proposed_date": None,
                    "reporter": "王科长",
                    "reporter_chat_id": None,
                    "created_at": START + timedelta(seconds=rng.randrange(YEAR_SECONDS)),
                    "source": "cli",
                    "source_key": None,
                }
            )
        async with db.session() as session:
            await session.execute(insert(EntryRow), chain_rows(rows, heads))
        done += size
    return time.perf_counter() - started


async def timed(label: str, coro: Awaitable[T]) -> T:
    """Await coro and print how long it took."""
    started = time.perf_counter()
    result = await coro
    print(f"  {label:<42} {time.perf_counter() - started:8.2f} s")
    return result


@asynccontextmanager
async def database(kind: str, folder: Path, keep: Path | None) -> AsyncIterator[str]:
    """Yield a URL for an empty database of this kind (or the kept SQLite file)."""
    if kind == "sqlite":
        yield f"sqlite:///{keep or folder / 'bench.db'}"
        return
    name = f"duban_bench_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(host="127.0.0.1", user="postgres", database="postgres")
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        admin = await asyncpg.connect(host="127.0.0.1", user="postgres", database="postgres")
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def bench(kind: str, entries: int, keep: Path | None = None, reuse: bool = False) -> None:
    """Generate a ledger (or reuse a kept SQLite file) and time the reports on it."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        async with database(kind, folder, keep) as url:
            db = await open_ledger(url, default_plan_path(), START)
            try:
                if reuse:
                    async with db.session() as session:
                        entries = await count_entries(session)
                    print(f"{kind}: {entries:,} entries (reusing {keep})")
                else:
                    print(f"{kind}: {entries:,} entries")
                    print(f"  {'generate':<42} {await generate(db, entries):8.2f} s")
                for as_of in (datetime(2022, 7, 4, 9, tzinfo=SH), END):
                    label = f"build_digest as of {as_of.date()}"
                    digest = await timed(label, build_digest(db, as_of))
                    started = time.perf_counter()
                    render_digest(digest)
                    digest_json(digest)
                    png = render_chart(digest)
                    spent = time.perf_counter() - started
                    label = f"  text + JSON + chart ({len(png) // 1024} KB PNG)"
                    print(f"  {label:<42} {spent:8.2f} s")
                target = folder / "ledger.xlsx"
                summary = await timed("write_ledger, every entry", write_ledger(db, target, END))
                size = target.stat().st_size / 1e6
                print(f"    {summary.rows} rows, {summary.entries:,} entries, {size:.0f} MB")
                await timed(
                    "write_ledger --from 2022-06-01 --to 2022-06-30",
                    write_ledger(
                        db, folder / "june.xlsx", END, date(2022, 6, 1), date(2022, 6, 30)
                    ),
                )
            finally:
                await db.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak RSS so far: {peak:.0f} MB")


def main() -> None:
    """Parse options and run the benchmarks."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument(
        "--keep-sqlite",
        type=Path,
        metavar="FILE",
        help="generate the SQLite ledger into FILE once and reuse it on later runs",
    )
    args = parser.parse_args()
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    for kind in kinds:
        keep = args.keep_sqlite if kind == "sqlite" else None
        asyncio.run(bench(kind, args.entries, keep, keep is not None and keep.exists()))


if __name__ == "__main__":
    main()
