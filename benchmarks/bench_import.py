"""Plan import for a plan 100 times the seed (2,900 tasks), on SQLite and PostgreSQL.

Run: .venv/bin/python benchmarks/bench_import.py [--quick] [--db sqlite|postgresql|both]
     [--copies N] [--repeat N]

The big plan repeats the seed's chapters with renumbered ids (`37.2.3`) and titles made
unique per copy, as bench_scheduler builds it. Three figures per database, each the median
of several runs on a fresh database (target < 2 s): the import into an empty ledger; a
re-import of an edited version (one task dropped per copy so the next is renumbered and
matched by title, one in ten deadlines moved, one in seven owner lists changed), which runs
every matching and archiving rule; and a re-import of the unchanged plan. The reference is
the floor for writing that much: the same task, owner and milestone rows inserted with the
bare driver's executemany in one transaction.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import sys
import time
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import asyncpg

from benchmarks.common import Figure, Timing, print_figures, scaled_plan, throwaway_database
from plan_data import default_plan_path, load_plan
from plan_data.model import Owner, Plan
from storage.database import Database
from storage.plans import import_plan

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2022, 1, 4, 9, tzinfo=SH)
LATER = NOW + timedelta(days=30)
TARGET_SECONDS = 2.0


def edited(plan: Plan) -> Plan:
    """Return the plan with one task dropped per copy, some deadlines and owners changed."""
    tasks = []
    for index, task in enumerate(plan.tasks):
        if task.id.endswith(".2.3"):  # dropped: the copy's 2.4 becomes 2.3
            continue
        if index % 10 == 0:
            task = replace(
                task,
                milestones=tuple(
                    replace(m, end=m.end - timedelta(days=31)) if m.end is not None else m
                    for m in task.milestones
                ),
            )
        extra = next((u for u in plan.units if u not in task.units), None)
        if index % 7 == 0 and extra is not None:
            task = replace(task, owners=(*task.owners[1:], Owner(extra, "cooperating")))
        tasks.append(task)
    renumbered = []
    for task in tasks:
        copy, chapter, number = task.id.split(".")
        if chapter == "2" and int(number) > 3:
            task = replace(task, id=f"{copy}.{chapter}.{int(number) - 1}")
        renumbered.append(task)
    return replace(plan, tasks=tuple(renumbered))


async def timed_import(url: str, plan: Plan, now: datetime) -> float:
    """Import the plan in one session (commit included); return seconds."""
    db = await Database.connect(url)
    try:
        started = time.perf_counter()
        async with db.session() as session:
            await import_plan(session, plan, now)
        return time.perf_counter() - started
    finally:
        await db.close()


def plan_rows(plan: Plan) -> tuple[list[tuple[int, str, int, str, str, str, str]], int, int]:
    """Return the task rows, and how many owner and milestone rows the plan has."""
    tasks = [
        (1, t.id, i, t.chapter, t.title, t.body, t.deadline_text) for i, t in enumerate(plan.tasks)
    ]
    owners = sum(len(t.owners) for t in plan.tasks)
    milestones = sum(len(t.milestones) for t in plan.tasks)
    return tasks, owners, milestones


async def raw_insert(url: str, plan: Plan) -> float:
    """Insert the plan's rows with the bare driver's executemany; return seconds."""
    db = await Database.connect(url)  # the schema, and a plan and units to point at
    await db.close()
    tasks, owners, milestones = plan_rows(plan)
    task_sql = (
        "INSERT INTO tasks (plan_id, task_id, position, chapter, title, body, deadline_text)"
        " VALUES ({})"
    )
    owner_sql = "INSERT INTO task_owners (task_id, unit_id, role, position) VALUES ({})"
    # Owner i: task i mod n, unit i div n (unique pairs, as the plan's are).
    owner_rows = [(i % len(tasks), i // len(tasks) + 1, i) for i in range(owners)]
    milestone_sql = (
        'INSERT INTO milestones (task_id, position, kind, action, start, "end") VALUES ({})'
    )
    plan_sql = "INSERT INTO plans (id, year, title, created_at) VALUES (1, 2022, 'x', {})"
    units = len(plan.units)
    unit_sql = "INSERT INTO units (plan_id, name, position) VALUES (1, {}, 0)"
    if url.startswith("sqlite"):

        def run() -> float:
            conn = sqlite3.connect(url.split("///", 1)[1])
            try:
                started = time.perf_counter()
                with conn:
                    conn.execute(plan_sql.format("'2022-01-01 00:00:00'"))
                    conn.executemany(unit_sql.format("?"), [(str(u),) for u in range(units)])
                    conn.executemany(task_sql.format(", ".join("?" * 7)), tasks)
                    first = conn.execute("SELECT min(id) FROM tasks").fetchone()[0]
                    conn.executemany(
                        owner_sql.format("?, ?, 'owner', ?"),
                        [(first + t, u, p) for t, u, p in owner_rows],
                    )
                    conn.executemany(
                        milestone_sql.format("?, ?, 'deadline', NULL, NULL, '2022-12-31'"),
                        [(first + i % len(tasks), i) for i in range(milestones)],
                    )
                return time.perf_counter() - started
            finally:
                conn.close()

        return await asyncio.to_thread(run)
    conn = await asyncpg.connect(url)
    try:
        started = time.perf_counter()
        async with conn.transaction():
            await conn.execute(plan_sql.format("now()"))
            await conn.executemany(unit_sql.format("$1"), [(str(u),) for u in range(units)])
            await conn.executemany(task_sql.format("$1, $2, $3, $4, $5, $6, $7"), tasks)
            first = await conn.fetchval("SELECT min(id) FROM tasks")
            await conn.executemany(
                owner_sql.format("$1, $2, 'owner', $3"),
                [(first + t, u, p) for t, u, p in owner_rows],
            )
            await conn.executemany(
                milestone_sql.format("$1, $2, 'deadline', NULL, NULL, '2022-12-31'"),
                [(first + i % len(tasks), i) for i in range(milestones)],
            )
        return time.perf_counter() - started
    finally:
        await conn.close()


async def bench(kind: str, copies: int, repeat: int) -> list[Figure]:
    """Measure the three imports and the raw floor on one kind of database."""
    plan = scaled_plan(load_plan(default_plan_path()), copies, unique_titles=True)
    edit = edited(plan)
    first, again, same, floor = [], [], [], []
    for _ in range(repeat):
        async with throwaway_database(kind) as url:
            first.append(await timed_import(url, plan, NOW))
            again.append(await timed_import(url, edit, LATER))
            same.append(await timed_import(url, edit, LATER + timedelta(days=1)))
        async with throwaway_database(kind) as url:
            floor.append(await raw_insert(url, plan))
    tasks = len(plan.tasks)
    reference = Timing.of(floor).median
    name = f"plan ×{copies} ({tasks:,} tasks)"
    figures = []
    for label, runs in (
        (f"import {name} into an empty ledger, {kind}", first),
        (f"re-import {name} edited, {kind}", again),
        (f"re-import {name} unchanged, {kind}", same),
    ):
        timing = Timing.of(runs)
        figures.append(
            Figure(
                label,
                timing.median,
                "s",
                target=TARGET_SECONDS,
                reference="bare driver executemany of the same rows",
                reference_value=reference,
                spread=(timing.low, timing.high),
            )
        )
    return figures


async def run(kinds: list[str], copies: int, repeat: int) -> list[Figure]:
    """Measure every kind of database."""
    return [f for kind in kinds for f in await bench(kind, copies, repeat)]


def measure(quick: bool) -> list[Figure]:
    """Return the figures for both databases (quick: one run each instead of three)."""
    return asyncio.run(run(["sqlite", "postgresql"], 100, 1 if quick else 3))


def main() -> None:
    """Parse options and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--copies", type=int, default=100)
    parser.add_argument("--repeat", type=int)
    args = parser.parse_args()
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    repeat = args.repeat or (1 if args.quick else 3)
    print_figures(asyncio.run(run(kinds, args.copies, repeat)))


if __name__ == "__main__":
    main()
