"""The web board's bureau page on a plan 100× the seed with 1,000,000 progress entries.

Run: .venv/bin/python benchmarks/bench_web.py [--copies 100] [--entries N]
     [--db sqlite|postgresql|both]
Builds a plan of `copies` copies of the seed's tasks (same 7 units; 29 tasks × 100 = 2,900
tasks, 6,600 (task, unit) rows), loads N entries spread over the rows and 2022 (sqlite3
executemany / asyncpg COPY), serves the board on 127.0.0.1 and times GET / (the bureau
page) with a leadership session: the server's own time (its Server-Timing header, from
request to rendered page) and the client's, rebuilt from the ledger each time (as after
every new entry) and unchanged (served from the view cache). Target: under 300 ms server
time. Shared machines: note `uptime`'s load beside the figures.
Also times a unit page and a task page. PostgreSQL uses a throwaway database.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import random
import re
import secrets
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp
import asyncpg
from aiohttp import web

from benchmarks.common import LOAD_COLUMNS, chained, sqlite_insert, sqlite_row
from plan_data import default_plan_path, load_plan
from plan_data.model import Plan
from scheduler.clock import FrozenClock
from storage.database import Database
from storage.plans import current_tasks, import_plan, unit_ids
from web.app import build_web_routes, settle_heap
from web.auth import create_login_link
from web.config import WebConfig
from web.context import BOARD

SH = ZoneInfo("Asia/Shanghai")
START = datetime(2022, 1, 1, tzinfo=UTC)
AS_OF = datetime(2022, 7, 4, 10, 0, tzinfo=SH)
COLUMNS = [
    "task_id", "unit_id", "milestone_id", "status", "note", "percent", "proposed_date",
    "reporter", "reporter_chat_id", "created_at", "source", "source_key",
]  # fmt: skip
STATUSES = ["in_progress"] * 90 + ["blocked"] * 6 + ["done"] * 4
NOTES = ["已完成3家机构洽谈", "60% 已签约3家", "选址未定，需协调街道", "按计划推进"]


def big_plan(copies: int) -> Plan:
    """Return the seed plan with its tasks repeated `copies` times under fresh ids."""
    seed = load_plan(default_plan_path())
    tasks = tuple(
        dataclasses.replace(task, id=f"{n}.{task.id}", title=f"{task.title}（{n}）")
        for n in range(1, copies + 1)
        for task in seed.tasks
    )
    return dataclasses.replace(seed, tasks=tasks, source="bench-100x.txt")


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
    """Return `count` entries in time order, spread evenly over the pairs up to AS_OF."""
    rng = random.Random(7)
    span = (AS_OF - START).total_seconds()
    rows = []
    for n in range(count):
        task_row, unit_row, milestones = found[(n * 7919) % len(found)]
        status = rng.choice(STATUSES)
        milestone = rng.choice(milestones) if status == "done" and milestones else None
        if status == "done" and milestone is None:
            status = "in_progress"
        at = START + timedelta(seconds=span * n / count)
        rows.append(
            (task_row, unit_row, milestone, status, rng.choice(NOTES), rng.randint(0, 100),
             None, "王科长", None, at, "telegram", f"telegram:{10_000_000 + n}")
        )  # fmt: skip
    return rows


def load_sqlite(path: str, rows: list[tuple[Any, ...]]) -> None:
    """Insert rows with executemany in one transaction (naive UTC text, as storage keeps it)."""
    conn = sqlite3.connect(path)
    try:
        text_rows = [sqlite_row(r) for r in chained(rows, {})]
        with conn:
            sqlite_insert(conn, "progress_entries", LOAD_COLUMNS, text_rows)
        conn.execute("ANALYZE")
    finally:
        conn.close()


async def load_postgres(dsn: str, rows: list[tuple[Any, ...]]) -> None:
    """COPY rows in, then VACUUM ANALYZE."""
    conn = await asyncpg.connect(dsn)
    try:
        await conn.copy_records_to_table(
            "progress_entries", records=chained(rows, {}), columns=LOAD_COLUMNS
        )
        await conn.execute("VACUUM ANALYZE progress_entries")
    finally:
        await conn.close()


async def timed_get(
    http: aiohttp.ClientSession, url: str, repeat: int, before: Any = None
) -> tuple[list[float], list[float], list[float], int]:
    """GET url repeat times; return server, client and CPU times (ms) and the page size.

    CPU is this process's (every thread's) CPU time per request: on SQLite, whose queries
    run in this process, it is the work a request costs whatever else the machine runs.
    """
    server, client, cpu, size = [], [], [], 0
    for _ in range(repeat):
        if before is not None:
            before()
        began, began_cpu = time.perf_counter(), time.process_time()
        async with http.get(url) as response:
            body = await response.read()
            assert response.status == 200, (url, response.status)
            timing = response.headers["Server-Timing"]
        client.append((time.perf_counter() - began) * 1000)
        cpu.append((time.process_time() - began_cpu) * 1000)
        server.append(float(timing.split("dur=")[1]))
        size = len(body)
    return server, client, cpu, size


def report(
    label: str, server: list[float], client: list[float], cpu: list[float], size: int
) -> float:
    """Print medians and the worst run; return the server median."""
    median = statistics.median(server)
    print(
        f"  {label:<26} server median {median:6.1f} ms  max {max(server):6.1f} ms"
        f"  client median {statistics.median(client):6.1f} ms"
        f"  process CPU median {statistics.median(cpu):6.1f} ms  ({size // 1024} KB)"
    )
    return median


async def bench(
    url: str, loader: Any, copies: int, entries: int, repeat: int, reuse: bool = False
) -> float:
    """Build the ledger (unless reused), serve the board and time its pages."""
    db = await Database.connect(url)
    try:
        if not reuse:
            began = time.perf_counter()
            async with db.session() as session:
                await import_plan(session, big_plan(copies), START)
            found = await pairs(db)
            took = time.perf_counter() - began
            print(f"  plan: {len(found):,} (task, unit) rows in {took:.1f} s")
            began = time.perf_counter()
            await loader(generate(found, entries))
            print(f"  loaded {entries:,} entries in {time.perf_counter() - began:.1f} s")
        clock = FrozenClock(AS_OF)
        app = build_web_routes(db, clock, SH, WebConfig(refresh_seconds=0))
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        settle_heap()  # as `duban web` does once it serves
        base = f"http://127.0.0.1:{runner.addresses[0][1]}"
        try:
            async with db.session() as session:
                token, _ = await create_login_link(session, None, AS_OF, timedelta(hours=1))
            jar = aiohttp.CookieJar(unsafe=True)
            load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
            print(f"  load average before timing: {load} (2 cores; others' work inflates times)")
            async with aiohttp.ClientSession(cookie_jar=jar) as http:
                async with http.post(f"{base}/login", data={"t": token}) as login:
                    assert login.status == 200
                await timed_get(http, f"{base}/", 2)  # warm the database's caches
                # Cold: the view rebuilt from the ledger, as after every new entry.
                cold = app[BOARD].bureau_cache.clear
                bureau = report(
                    "bureau page / (rebuilt)", *await timed_get(http, f"{base}/", repeat, cold)
                )
                report("bureau page / (unchanged)", *await timed_get(http, f"{base}/", repeat))
                unit = quote("社区科")
                report("unit page /unit/社区科", *await timed_get(http, f"{base}/unit/{unit}", 5))
                # A task in the middle of the plan (the 2.3 of its middle copy).
                task = f"{(copies + 1) // 2}.2.3"
                report(f"task page /task/{task}", *await timed_get(http, f"{base}/task/{task}", 5))
                async with http.get(f"{base}/") as page:
                    text = await page.text()
                shown = re.search(r'data-count="rows">(\d+)<', text)
                print(f"  bureau page shows {shown.group(1) if shown else '?'} rows")
        finally:
            await runner.cleanup()
        return bureau
    finally:
        await db.close()


async def main() -> None:
    """Run the benchmark on the chosen databases."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=100)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument(
        "--keep-sqlite", type=Path, metavar="FILE", help="build the SQLite ledger once, reuse it"
    )
    args = parser.parse_args()
    if args.db in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            path = str(args.keep_sqlite or Path(tmp) / "bench.db")
            reuse = args.keep_sqlite is not None and args.keep_sqlite.exists()
            print(f"SQLite ({path}{', reused' if reuse else ''})")

            async def sqlite_loader(rows: list[tuple[Any, ...]]) -> None:
                await asyncio.to_thread(load_sqlite, path, rows)

            await bench(
                f"sqlite:///{path}", sqlite_loader, args.copies, args.entries, args.repeat, reuse
            )
    if args.db in ("postgresql", "both"):
        name = f"duban_bench_{secrets.token_hex(4)}"
        admin = await asyncpg.connect(host="127.0.0.1", user="postgres", database="postgres")
        await admin.execute(f'CREATE DATABASE "{name}"')
        dsn = f"postgresql://postgres@127.0.0.1:5432/{name}"
        print(f"PostgreSQL ({name})")
        try:

            async def pg_loader(rows: list[tuple[Any, ...]]) -> None:
                await load_postgres(dsn, rows)

            await bench(dsn, pg_loader, args.copies, args.entries, args.repeat)
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.close()


if __name__ == "__main__":
    asyncio.run(main())
