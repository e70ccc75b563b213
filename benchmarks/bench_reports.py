"""The ledger export (台账) and the weekly digest over many entries, on SQLite and PostgreSQL.

Run: .venv/bin/python benchmarks/bench_reports.py [--quick] [--db sqlite|postgresql|both]
     [--sizes 20000,1000000] [--repeat N]

For each database and size: a fresh ledger with the seed plan, N entries bulk-loaded over
2022 (notes mostly unique, as in real use), then `write_ledger` of every entry, each run in
a fresh process so its peak RSS is the export's own (targets: 20,000 entries < 1 s, a
million < 20 s and < 200 MB); the process first exports one day, as a running bot would
have, so first-use costs (statement compiling, worker threads) stay out of the figure.
Beside it, the floor: the same rows read with the bare driver and no types. At the largest
size, `build_digest` beside a raw SQL aggregate of the entries.
Full run: 20,000 and 1,000,000 entries on both databases (a few minutes); --quick: 20,000.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from datetime import datetime
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import (
    Figure,
    RawSQL,
    Timing,
    load_entries,
    peak_rss_mb,
    print_figures,
    run_child,
    throwaway_database,
    time_async,
)
from plan_data import default_plan_path
from reports.ledger_xlsx import write_ledger
from reports.source import build_digest
from storage.bootstrap import open_ledger
from storage.database import Database

SH = ZoneInfo("Asia/Shanghai")
START = datetime(2022, 1, 4, 9, tzinfo=SH)
LAST_ENTRY = datetime(2022, 12, 20, 18, tzinfo=SH)
END = datetime(2023, 1, 3, 9, tzinfo=SH)
MID_YEAR = datetime(2022, 7, 4, 9, tzinfo=SH)
TARGET_SECONDS = {20_000: 1.0, 1_000_000: 20.0}
TARGET_PEAK_MB = 200.0
RAW_READ = (
    "SELECT t.task_id, u.name, e.status, e.note, e.percent, e.proposed_date, e.reporter,"
    " e.created_at FROM progress_entries e JOIN tasks t ON t.id = e.task_id"
    " JOIN units u ON u.id = e.unit_id ORDER BY e.id"
)
RAW_AGGREGATE = (
    "SELECT unit_id, task_id, count(*), max(created_at) FROM progress_entries"
    " WHERE created_at <= ? GROUP BY unit_id, task_id"
)


async def export_once(url: str) -> dict[str, float]:
    """Write the whole ledger once in this process; return time and memory figures."""
    db = await Database.connect(url, migrate=False)
    try:
        with tempfile.TemporaryDirectory(prefix="duban-bench-") as tmp:
            target = Path(tmp) / "ledger.xlsx"
            # As in the running bot: statements compiled, worker threads started.
            await write_ledger(db, target, END, LAST_ENTRY.date(), LAST_ENTRY.date())
            base = peak_rss_mb()
            started, cpu = time.perf_counter(), time.process_time()
            summary = await write_ledger(db, target, END)
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
            size = target.stat().st_size
    finally:
        await db.close()
    return {
        "seconds": seconds,
        "cpu": cpu,
        "peak_mb": peak_rss_mb(),
        "base_mb": base,
        "entries": summary.entries,
        "rows": summary.rows,
        "bytes": size,
    }


async def bench(kind: str, size: int, repeat: int, digest: bool) -> list[Figure]:
    """Load a ledger of `size` entries and measure the export (and the digest)."""
    figures = []
    async with throwaway_database(kind) as url:
        db = await open_ledger(url, default_plan_path(), START)
        await db.close()
        await load_entries(url, size, START, LAST_ENTRY)
        runs = [
            await asyncio.to_thread(run_child, Path(__file__), "--export", url)
            for _ in range(repeat)
        ]
        async with RawSQL(url) as raw_sql:
            floor = await time_async(lambda: raw_sql.stream(RAW_READ), repeat)
        seconds = Timing.of([r["seconds"] for r in runs])
        label = f"{size:,} entries, {kind}"
        figures.append(
            Figure(
                f"ledger export (write_ledger), {label}",
                seconds.median,
                "s",
                target=TARGET_SECONDS.get(size),
                reference="raw driver read of the same rows",
                reference_value=floor.median,
                spread=(seconds.low, seconds.high),
                extra={
                    "file_mb": round(runs[0]["bytes"] / 1e6, 1),
                    # CPU time (all threads) wanders less than wall time on a busy machine.
                    "cpu_s": round(Timing.of([r["cpu"] for r in runs]).median, 3),
                },
            )
        )
        peak = Timing.of([r["peak_mb"] for r in runs])
        figures.append(
            Figure(
                f"ledger export peak RSS, {label}",
                peak.median,
                "MB",
                target=TARGET_PEAK_MB,
                reference="the same process before the export",
                reference_value=Timing.of([r["base_mb"] for r in runs]).median,
                spread=(peak.low, peak.high),
            )
        )
        if digest:
            db = await Database.connect(url, migrate=False)
            try:
                for as_of in (MID_YEAR, END):
                    await build_digest(db, as_of)  # warm the statement cache
                    took = await time_async(partial(build_digest, db, as_of), repeat)
                    async with RawSQL(url) as raw_sql:
                        await raw_sql.rows(RAW_AGGREGATE, as_of)
                        raw = await time_async(
                            lambda as_of=as_of: raw_sql.rows(RAW_AGGREGATE, as_of),  # type: ignore[misc]
                            repeat,
                        )
                    figures.append(
                        Figure(
                            f"build_digest as of {as_of.date()}, {label}",
                            took.median,
                            "s",
                            reference="raw SQL aggregate of the entries",
                            reference_value=raw.median,
                            spread=(took.low, took.high),
                        )
                    )
            finally:
                await db.close()
    return figures


async def run(kinds: list[str], sizes: list[int], repeat: int) -> list[Figure]:
    """Measure every database kind and size."""
    figures = []
    for kind in kinds:
        for size in sizes:
            figures += await bench(kind, size, repeat, digest=size == max(sizes))
    return figures


def measure(quick: bool) -> list[Figure]:
    """Return the figures (quick: 20,000 entries only)."""
    sizes = [20_000] if quick else [20_000, 1_000_000]
    return asyncio.run(run(["sqlite", "postgresql"], sizes, 3))


def main() -> None:
    """Parse options and print the figures (or, as a child, export once and print JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--sizes", help="entry counts, comma-separated")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--export", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.export:
        print(json.dumps(asyncio.run(export_once(args.export))))
        return
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    if args.sizes:
        sizes = [int(s) for s in args.sizes.split(",")]
    else:
        sizes = [20_000] if args.quick else [20_000, 1_000_000]
    print_figures(asyncio.run(run(kinds, sizes, args.repeat)))


if __name__ == "__main__":
    main()
