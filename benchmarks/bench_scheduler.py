"""Time the scheduler: `duban simulate` over all of 2022 for the seed (target < 1 s) and one
reconcile for a plan 100 times the seed (target < 200 ms). SQLite files in a temp directory;
`--db URL` runs the big reconcile on another (empty) database, e.g. PostgreSQL.

    .venv/bin/python benchmarks/bench_scheduler.py [--db postgresql://postgres@127.0.0.1/x]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from scheduler.simulate import simulate

from plan_data import default_plan_path, load_plan
from plan_data.model import Milestone, Plan
from reports.digest import compute_digest
from reports.source import read_report_input
from scheduler.reconcile import reconcile
from scheduler.settings import load_settings
from storage import bindings
from storage.database import Database
from storage.plans import import_plan

TZ = ZoneInfo("Asia/Shanghai")
COPIES = 100


def scaled_plan(plan: Plan, copies: int) -> Plan:
    """Return the plan with every task repeated, ids prefixed, deadlines spread over a month."""
    tasks = []
    for copy in range(copies):
        for task in plan.tasks:
            milestones = tuple(
                replace(m, end=_shift(m, copy % 28)) if m.kind == "deadline" else m
                for m in task.milestones
            )
            tasks.append(replace(task, id=f"{copy + 1}.{task.id}", milestones=milestones))
    return replace(plan, tasks=tuple(tasks))


def _shift(m: Milestone, days: int) -> date | None:
    return m.end - timedelta(days=days) if m.end is not None else None


async def bench_simulate() -> tuple[float, int]:
    """Return the best of three wall times for simulating 2022 and the messages pushed."""
    settings = load_settings()
    best, count = float("inf"), 0
    for _ in range(3):
        start = time.perf_counter()
        pushed = await simulate(
            default_plan_path(), date(2022, 1, 1), date(2022, 12, 31), settings
        )
        best = min(best, time.perf_counter() - start)
        count = len(pushed)
    return best, count


async def bench_reconcile(url: str) -> tuple[int, int, float, float, float, int]:
    """Return pairs, milestones, the busy reconcile, its digest share, a steady one, rows."""
    settings = load_settings()
    calendar = settings.calendar()
    plan = scaled_plan(load_plan(default_plan_path()), COPIES)
    setup = datetime(2022, 6, 1, 8, tzinfo=TZ)
    db = await Database.connect(url)
    try:
        async with db.session() as session:
            await import_plan(session, plan, setup)
            for index, unit in enumerate(plan.units):
                await bindings.bind(session, 100 + index, unit, setup)
            await bindings.bind(session, 1, None, setup)
        await reconcile(db, setup, settings, calendar)  # records the first start: 1 June
        busy = datetime(2022, 6, 24, 9, tzinfo=TZ)  # check-in day, overdue items, digest
        start = time.perf_counter()
        result = await reconcile(db, busy, settings, calendar)
        first = time.perf_counter() - start
        start = time.perf_counter()
        async with db.session() as session:
            # The digest the busy run wrote, computed again alone: how much of it is reports'.
            source = await read_report_input(session, busy)
            compute_digest(source.rows, source.extensions, busy, source.units, TZ)
        digest = time.perf_counter() - start
        steady = float("inf")
        for minute in range(1, 6):
            start = time.perf_counter()
            await reconcile(db, busy + timedelta(minutes=minute), settings, calendar)
            steady = min(steady, time.perf_counter() - start)
    finally:
        await db.close()
    pairs = sum(len(t.owners) for t in plan.tasks)
    milestones = sum(len(t.owners) * len(t.milestones) for t in plan.tasks)
    return pairs, milestones, first, digest, steady, len(result.written)


async def main(url: str | None) -> None:
    """Print the figures."""
    seconds, count = await bench_simulate()
    print(f"simulate 2022 (seed, 66 pairs): {seconds:.2f} s, {count} messages (target < 1 s)")
    with tempfile.TemporaryDirectory(prefix="duban-bench-") as tmp:
        where = url or f"sqlite:///{Path(tmp) / 'big.db'}"
        pairs, milestones, first, digest, steady, written = await bench_reconcile(where)
    print(
        f"reconcile on {where.split(':')[0]}, plan x{COPIES} "
        f"({pairs} pairs, {milestones} milestone rows): "
        f"busy day {first * 1000:.0f} ms writing {written} messages "
        f"(of which the weekly digest's report read ~{digest * 1000:.0f} ms), "
        f"steady minute {steady * 1000:.0f} ms (target < 200 ms)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", metavar="URL", help="an empty database for the big reconcile")
    asyncio.run(main(parser.parse_args().db))
