"""Time the scheduler: `duban simulate` over all of 2022 for the seed and plans 10x / 100x it
(targets < 1 / 2 / 10 s, the whole command) and one reconcile for a plan 100 times the seed
(target < 200 ms on a busy day and a steady minute; the busy day is timed as a running
service meets it, after the week before's busy pass, and that first pass is shown too). A
busy day happens once per ledger: it is the median over fresh ledgers (six per database,
SQLite and PostgreSQL taking turns; one --quick).

Run: .venv/bin/python benchmarks/bench_scheduler.py [--quick] [--db postgresql://…/empty]

Beside each, the pure-policy loop: `prompt_points` for every (task, unit, milestone) over
the same days, no database — what the scheduler cannot do with less. SQLite files in a temp
directory; `--db URL` runs the big reconcile on another (empty) database. measure() runs the
reconcile on SQLite and on a throwaway PostgreSQL database.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_start import PACKAGES
from benchmarks.common import (
    ROOT,
    Figure,
    Timing,
    print_figures,
    scaled_plan,
    scaled_seed_text,
    throwaway_database,
)
from plan_data import default_plan_path, load_plan
from plan_data.model import Plan
from reports.digest import digest_from_facts
from reports.source import read_digest_facts
from scheduler.ledger_pass import reconcile
from scheduler.policy import MilestoneWindow, prompt_points
from scheduler.settings import PolicySettings, load_settings
from storage import bindings
from storage.database import Database
from storage.plans import import_plan

TZ = ZoneInfo("Asia/Shanghai")
COPIES = 100
YEAR = (date(2022, 1, 1), date(2022, 12, 31))
SETUP = datetime(2022, 6, 1, 8, tzinfo=TZ)
BUSY = datetime(2022, 6, 24, 9, tzinfo=TZ)  # check-in day, overdue items, the digest
# Seconds for `duban simulate` over a year, by plan size (issue 13).
SIMULATE_TARGETS = {1: 1.0, 10: 2.0, 100: 10.0}


def policy_loop(plan: Plan, settings: PolicySettings, first: date, last: date) -> int:
    """Run the pure policy for every (task, unit, milestone) over [first, last]."""
    calendar = settings.calendar()
    points = 0
    for task in plan.tasks:
        windows = [MilestoneWindow(m.kind, m.start, m.end) for m in task.milestones]
        for _ in task.owners:
            for window in windows:
                points += len(prompt_points(window, calendar, settings, first, last))
    return points


def bench_simulate(repeat: int, sizes: tuple[int, ...]) -> list[Figure]:
    """Time `duban simulate` over 2022, the whole command as a person runs it, for the seed
    and plans 10x / 100x it in the same style, each beside the pure-policy loop."""
    settings = load_settings()
    command = Path(sys.executable).parent / "duban"
    # As a person runs it: compiled once, not recompiled on every run where
    # PYTHONDONTWRITEBYTECODE is set.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(  # noqa: S603
        [sys.executable, "-m", "compileall", "-q", *PACKAGES], check=True, cwd=ROOT
    )
    figures = []
    with tempfile.TemporaryDirectory(prefix="duban-bench-") as tmp:
        for copies in sizes:
            plan_file = Path(tmp) / f"plan-x{copies}.txt"
            plan_file.write_text(scaled_seed_text(copies), encoding="utf-8")
            args = [str(command), "simulate", "--from", "2022-01-01", "--to", "2022-12-31"]
            args += ["--json", "--plan", str(plan_file)]
            runs, lines = [], 0
            for _ in range(repeat):
                start = time.perf_counter()
                done = subprocess.run(  # noqa: S603
                    args, capture_output=True, check=True, text=True, env=env
                )
                runs.append(time.perf_counter() - start)
                lines = len(done.stdout.splitlines())
            plan = load_plan(plan_file)
            start = time.perf_counter()
            policy_loop(plan, settings, *YEAR)
            loop = time.perf_counter() - start
            took = Timing.of(runs)
            pairs = sum(len(t.owners) for t in plan.tasks)
            figures.append(
                Figure(
                    f"duban simulate 2022, plan x{copies} ({pairs:,} pairs)",
                    took.median,
                    "s",
                    target=SIMULATE_TARGETS[copies],
                    reference="pure-policy loop over the same year, no memo",
                    reference_value=loop,
                    spread=(took.low, took.high),
                    extra={"messages": lines},
                )
            )
    return figures


@dataclass(frozen=True)
class ReconcileRun:
    """One fresh ledger's timings (seconds): the week before, the busy day, steady minutes."""

    first: float
    busy: float
    steady: list[float]
    written: int
    digest: float


async def reconcile_run(url: str, steady_runs: int) -> ReconcileRun:
    """Load the plan x100 into an empty database at `url` and time its reconciles."""
    settings = load_settings()
    calendar = settings.calendar()
    plan = scaled_plan(load_plan(default_plan_path()), COPIES)
    db = await Database.connect(url)
    try:
        async with db.session() as session:
            await import_plan(session, plan, SETUP)
            for index, unit in enumerate(plan.units):
                await bindings.bind(session, 100 + index, unit, SETUP)
            await bindings.bind(session, 1, None, SETUP)
        await reconcile(db, SETUP, settings, calendar)  # records the first start: 1 June
        gc.freeze()  # as `duban run` does once started (service.runner)
        # The week before: the first busy pass of a process also compiles its statements
        # (SQLAlchemy caches them per engine), which a running service did long ago.
        start = time.perf_counter()
        await reconcile(db, BUSY - timedelta(days=7), settings, calendar)
        first = time.perf_counter() - start
        start = time.perf_counter()
        result = await reconcile(db, BUSY, settings, calendar)
        busy = time.perf_counter() - start
        start = time.perf_counter()
        async with db.session() as session:
            # The digest the busy run wrote, computed again alone: how much of it is reports'.
            facts = await read_digest_facts(session, BUSY)
            digest_from_facts(facts, BUSY, tz=TZ)
        digest = time.perf_counter() - start
        steady = []
        for minute in range(1, steady_runs + 1):
            start = time.perf_counter()
            await reconcile(db, BUSY + timedelta(minutes=minute), settings, calendar)
            steady.append(time.perf_counter() - start)
    finally:
        await db.close()
    return ReconcileRun(first, busy, steady, len(result.written), digest)


def reconcile_figures(runs: list[ReconcileRun], label: str) -> list[Figure]:
    """Return the figures of several fresh ledgers' runs, beside the policy that day."""
    settings = load_settings()
    plan = scaled_plan(load_plan(default_plan_path()), COPIES)
    start = time.perf_counter()
    policy_loop(plan, settings, BUSY.date(), BUSY.date())
    loop = time.perf_counter() - start
    pairs = sum(len(t.owners) for t in plan.tasks)
    name = f"reconcile, plan x{COPIES} ({pairs:,} pairs), {label}"
    busy = Timing.of([r.busy * 1000 for r in runs])
    first = Timing.of([r.first * 1000 for r in runs])
    minute = Timing.of([s for r in runs for s in r.steady])
    reference = "pure-policy loop over the same milestones, that day"
    return [
        Figure(
            f"{name}: busy day",
            busy.median,
            "ms",
            target=200.0,
            reference=reference,
            reference_value=loop * 1000,
            spread=(busy.low, busy.high),
            extra={
                "ledgers": len(runs),
                "written": runs[0].written,
                "digest_read_ms": round(statistics.median(r.digest for r in runs) * 1000, 1),
            },
        ),
        Figure(
            f"{name}: busy day, first pass of the process",
            first.median,
            "ms",
            reference=reference,
            reference_value=loop * 1000,
            spread=(first.low, first.high),
            note="the week before, statements compiled on the way",
        ),
        Figure(
            f"{name}: steady minute",
            minute.median * 1000,
            "ms",
            target=200.0,
            reference=reference,
            reference_value=loop * 1000,
            spread=(minute.low * 1000, minute.high * 1000),
        ),
    ]


async def run(
    kinds: list[str], repeat: int, url: str | None = None, ledgers: int | None = None
) -> list[Figure]:
    """Reconcile on `ledgers` fresh ledgers of each kind of database, the kinds taking turns
    so a slow minute of a shared machine falls on both (or once on the database given), then
    simulate (`repeat` times); return simulate's figures first.

    The reconciles come first because the pure-policy loops that stand beside simulate's
    figures leave this process a heap that slowed a busy day after them by 30-60 ms (4
    ledgers each: SQLite 178 → 237 ms, PostgreSQL 235 → 268 ms), which a running service
    never has; simulate itself is timed as separate commands.
    """
    if url is not None:
        reconciles = reconcile_figures([await reconcile_run(url, 5)], url.split(":")[0])
    else:
        runs: dict[str, list[ReconcileRun]] = {kind: [] for kind in kinds}
        for _ in range(ledgers or repeat):
            for kind in kinds:
                async with throwaway_database(kind) as where:
                    runs[kind].append(await reconcile_run(where, 5))
        reconciles = [f for kind in kinds for f in reconcile_figures(runs[kind], kind)]
    return bench_simulate(repeat, (1, 10) if repeat == 1 else (1, 10, 100)) + reconciles


# Fresh ledgers per database for the busy day: its time moves by tens of milliseconds from
# one ledger to the next on a shared machine, and a median of three moved by a hundred.
LEDGERS = 6


def measure(quick: bool) -> list[Figure]:
    """Return the figures (quick: one simulate run, reconcile on SQLite only)."""
    if quick:
        return asyncio.run(run(["sqlite"], 1))
    return asyncio.run(run(["sqlite", "postgresql"], 3, ledgers=LEDGERS))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--db", metavar="URL", help="an empty database for the big reconcile")
    args = parser.parse_args()
    kinds = ["sqlite"] if args.quick else ["sqlite", "postgresql"]
    repeat, ledgers = (1, 1) if args.quick else (3, LEDGERS)
    print_figures(asyncio.run(run(kinds, repeat, args.db, ledgers)))
