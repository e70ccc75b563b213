"""What one progress entry costs to record, on SQLite and on PostgreSQL.

Run: .venv/bin/python benchmarks/bench_record_entry.py [--entries N] [--only sqlite|postgresql]
Times record_entry on one (task, unit) pair: N entries each in its own transaction (what
the bot does: commit and fsync included), then N in one transaction (the statements alone),
on an empty pair and again after the pair has 5,000 entries. Uses only APIs that predate the
hash chain, so the same script measures an older checkout (PYTHONPATH=that/checkout).
With the chain, it also interleaves entries with and without it (the link stubbed out), which
isolates the chain's own cost on a busy machine.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import statistics
import tempfile
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession

import storage
from plan_data import default_plan_path
from storage.bootstrap import open_ledger
from storage.database import Database
from storage.progress import record_entry
from storage.records import EntryDraft

START = datetime(2022, 1, 4, 1, 0, tzinfo=UTC)
PRELOAD = 5_000


def draft(n: int) -> EntryDraft:
    """Return the n-th entry of the pair, as the bot would make it."""
    return EntryDraft(
        "2.3",
        "社救科",
        "in_progress",
        reporter="王科长",
        source="telegram",
        note=f"第{n}次进展：已签约{n % 7}家",
        percent=n % 100,
        reporter_chat_id=-1001,
        source_key=f"bench:{1_000_000 + n}",
    )


async def each_in_own_transaction(db: Database, first: int, count: int) -> list[float]:
    """Record `count` entries, one transaction each; return milliseconds per entry."""
    times = []
    for n in range(first, first + count):
        began = time.perf_counter()
        async with db.session() as session:
            await record_entry(session, draft(n), START + timedelta(minutes=n))
        times.append((time.perf_counter() - began) * 1000)
    return times


async def all_in_one_transaction(db: Database, first: int, count: int) -> float:
    """Record `count` entries in one transaction; return milliseconds per entry."""
    began = time.perf_counter()
    async with db.session() as session:
        for n in range(first, first + count):
            await record_entry(session, draft(n), START + timedelta(minutes=n))
    return (time.perf_counter() - began) * 1000 / count


async def paired(db: Database, first: int, count: int) -> tuple[float, float] | None:
    """Alternate entries with and without the chain link; return their medians (ms).

    The machine's other load hits both halves alike, so the difference is the chain's own
    cost (lock, head lookup, hashing). None on a checkout without the chain.
    """
    try:
        from storage import chain, progress
    except ImportError:
        return None
    real = progress.link_entry  # type: ignore[attr-defined]

    async def unchained(session: AsyncSession, values: Mapping[str, Any]) -> dict[str, str]:
        del session, values  # the chain's own cost is what this leaves out
        return {"prev_hash": secrets.token_hex(32), "hash": secrets.token_hex(32)}

    with_chain: list[float] = []
    without: list[float] = []
    try:
        for n in range(first, first + count):
            chained = n % 2 == 0
            progress.link_entry = real if chained else unchained  # type: ignore[attr-defined]
            began = time.perf_counter()
            async with db.session() as session:
                await record_entry(session, draft(n), START + timedelta(minutes=n))
            (with_chain if chained else without).append((time.perf_counter() - began) * 1000)
    finally:
        progress.link_entry = real  # type: ignore[attr-defined]
    assert chain.GENESIS  # the module is the one measured
    return statistics.median(with_chain), statistics.median(without)


async def bench(url: str, count: int) -> None:
    """Time record_entry on an empty pair, then on a pair with PRELOAD entries."""
    db = await open_ledger(url, default_plan_path(), START)
    try:
        await each_in_own_transaction(db, 0, 20)  # warm caches
        n = 20
        for label in ("empty pair", f"pair with {PRELOAD:,} entries"):
            own = await each_in_own_transaction(db, n, count)
            n += count
            batch = await all_in_one_transaction(db, n, count)
            n += count
            print(
                f"  {label:<26} own transaction: median {statistics.median(own):6.2f} ms,"
                f" mean {statistics.fmean(own):6.2f} ms;  in one transaction:"
                f" {batch:6.2f} ms per entry"
            )
            ab = await paired(db, n, count)
            n += count
            if ab is not None:
                print(
                    f"  {'':<26} interleaved: with chain {ab[0]:6.2f} ms, without"
                    f" {ab[1]:6.2f} ms (medians): the chain adds {ab[0] - ab[1]:5.2f} ms"
                )
            if n < PRELOAD:
                await all_in_one_transaction(db, n, PRELOAD - n)
                n = PRELOAD
    finally:
        await db.close()


async def main() -> None:
    """Run the benchmark on the chosen databases."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=300)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    print(f"storage from {Path(storage.__file__).parent}")
    if args.only in (None, "sqlite"):
        with tempfile.TemporaryDirectory() as tmp:
            print("SQLite")
            await bench(f"sqlite:///{Path(tmp) / 'bench.db'}", args.entries)
    if args.only in (None, "postgresql"):
        name = f"duban_bench_{secrets.token_hex(4)}"
        admin = await asyncpg.connect(host="127.0.0.1", user="postgres", database="postgres")
        await admin.execute(f'CREATE DATABASE "{name}"')
        print("PostgreSQL")
        try:
            await bench(f"postgresql://postgres@127.0.0.1:5432/{name}", args.entries)
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.close()


if __name__ == "__main__":
    asyncio.run(main())
