"""What the benchmarks share: the Figure they report, throwaway databases, bulk entry loading.

Every `benchmarks/bench_*.py` exposes `measure(quick: bool) -> list[Figure]` for
`benchmarks/run_all.py` and still runs alone (`.venv/bin/python benchmarks/bench_x.py`).
A figure sits beside a reference measured in the same run on the same machine (a bare echo
bot, a raw SQL query, a pure loop), so the ratio means something on a busy shared machine
where the absolute number wanders.
"""

from __future__ import annotations

import asyncio
import json
import math
import random
import re
import resource
import secrets
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg

from plan_data import decode_text, default_plan_path
from plan_data.model import Plan
from storage.chain import chain_rows

ROOT = Path(__file__).resolve().parent.parent
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
ENTRY_COLUMNS = [
    "task_id", "unit_id", "milestone_id", "status", "note", "percent", "proposed_date",
    "reporter", "reporter_chat_id", "created_at", "source", "source_key",
]  # fmt: skip
NOTES = [
    "已完成3家机构洽谈", "60% 已签约3家", "选址未定，需协调街道", "按计划推进",
    "正在起草实施方案，预计月底前报局党组审议", "资金未到位",
]  # fmt: skip
STATUSES = ["in_progress"] * 8 + ["blocked", "done", "extension"]
# As loaded: each entry also carries its (task, unit) pair's hash chain (storage/chain.py).
LOAD_COLUMNS = [*ENTRY_COLUMNS, "prev_hash", "hash"]


def sqlite_time(at: datetime) -> str:
    """Return an instant as SQLite's naive UTC text (as storage keeps it)."""
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def sqlite_row(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """Return a loaded row with created_at as SQLite's naive UTC text (as storage keeps it)."""
    at = ENTRY_COLUMNS.index("created_at")
    return (*row[:at], sqlite_time(row[at]), *row[at + 1 :])


def sqlite_insert(
    conn: sqlite3.Connection, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """Insert rows into a table with the bare driver's executemany (in the caller's
    transaction)."""
    marks = ", ".join("?" for _ in columns)
    conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)  # noqa: S608


def chained(
    rows: list[tuple[Any, ...]], heads: dict[tuple[Any, Any], str]
) -> list[tuple[Any, ...]]:
    """Return entry tuples (ENTRY_COLUMNS) with prev_hash and hash, as record_entry writes them."""
    linked = chain_rows((dict(zip(ENTRY_COLUMNS, r, strict=True)) for r in rows), heads)
    return [tuple(row[c] for c in LOAD_COLUMNS) for row in linked]


def scaled_plan(plan: Plan, copies: int, unique_titles: bool = False) -> Plan:
    """Return the plan with every task repeated, ids prefixed, deadlines spread over a month.

    Copy 37 of task 2.3 is `37.2.3`; with unique_titles its title ends in （37）, so a
    renumbered task can be matched by its title on re-import as in a real plan.
    """
    tasks = []
    for copy in range(copies):
        for task in plan.tasks:
            milestones = tuple(
                replace(m, end=m.end - timedelta(days=copy % 28))
                if m.kind == "deadline" and m.end is not None
                else m
                for m in task.milestones
            )
            title = f"{task.title}（{copy + 1}）" if unique_titles else task.title
            tasks.append(
                replace(task, id=f"{copy + 1}.{task.id}", title=title, milestones=milestones)
            )
    return replace(plan, tasks=tuple(tasks))


@dataclass(frozen=True, slots=True)
class Figure:
    """One measured figure, its target and the reference it is compared with."""

    name: str
    value: float
    unit: str
    target: float | None = None
    higher_is_better: bool = False
    reference: str | None = None
    reference_value: float | None = None
    spread: tuple[float, float] | None = None  # min and max over the runs, when repeated
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def in_ms(
        cls,
        name: str,
        took: Timing,
        target: float | None,
        reference: str,
        beside: Timing,
    ) -> Figure:
        """Return a figure in milliseconds from timings in seconds: the median, its spread,
        and the reference's median."""
        return cls(
            name,
            took.median * 1000,
            "ms",
            target=target,
            reference=reference,
            reference_value=beside.median * 1000,
            spread=(took.low * 1000, took.high * 1000),
        )

    @property
    def ratio(self) -> float | None:
        """Return value / reference value (None without a reference)."""
        if self.reference_value is None or self.reference_value == 0:
            return None
        return self.value / self.reference_value

    @property
    def met(self) -> bool | None:
        """Say whether the target is met (None when there is no target)."""
        if self.target is None:
            return None
        return self.value >= self.target if self.higher_is_better else self.value <= self.target

    def as_json(self) -> dict[str, Any]:
        """Return the figure as JSON-ready values, with its ratio and verdict (and its
        extras, which may not take a figure's own key)."""
        values = {
            "name": self.name,
            "value": None if math.isnan(self.value) else round(self.value, 4),
            "unit": self.unit,
            "target": self.target,
            "target_is": None
            if self.target is None
            else ("min" if self.higher_is_better else "max"),
            "met": self.met,
            "reference": self.reference,
            "reference_value": (
                None if self.reference_value is None else round(self.reference_value, 4)
            ),
            "ratio": None if self.ratio is None else round(self.ratio, 3),
            "spread": None if self.spread is None else [round(v, 4) for v in self.spread],
            "note": self.note,
        }
        taken = values.keys() & self.extra.keys()
        if taken:
            raise ValueError(f"{self.name}: extras {sorted(taken)} would hide the figure's own")
        return values | self.extra


@dataclass(frozen=True, slots=True)
class Timing:
    """The median of several runs, with min and max."""

    median: float
    low: float
    high: float

    @classmethod
    def of(cls, values: list[float]) -> Timing:
        """Summarise measurements."""
        return cls(statistics.median(values), min(values), max(values))


def time_runs(run: Callable[[], object], repeat: int) -> Timing:
    """Return the wall time of `run` in seconds over `repeat` runs."""
    values = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        values.append(time.perf_counter() - started)
    return Timing.of(values)


async def time_async(run: Callable[[], Awaitable[object]], repeat: int) -> Timing:
    """Return the wall time of an async `run` in seconds over `repeat` runs."""
    values = []
    for _ in range(repeat):
        started = time.perf_counter()
        await run()
        values.append(time.perf_counter() - started)
    return Timing.of(values)


def peak_rss_mb() -> float:
    """Return this process's peak resident memory so far, in MB.

    Linux's VmHWM, not ru_maxrss: a child started by fork and exec keeps the parent's
    resident size at the fork as its ru_maxrss, so a big parent would hide the child's own.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_child(script: Path, *args: str, timeout: float = 1200) -> dict[str, Any]:
    """Run a benchmark script in a fresh interpreter; return the JSON of its last line.

    Peak memory is per process, so what it measures stays apart from the setup's.
    """
    done = subprocess.run(  # noqa: S603  # our own script and arguments
        [sys.executable, str(script), *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{script.name} {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@asynccontextmanager
async def throwaway_database(kind: str) -> AsyncIterator[str]:
    """Yield the URL of a new, empty database: a SQLite file or a PostgreSQL database."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="duban-bench-") as tmp:
            yield f"sqlite:///{Path(tmp) / 'bench.db'}"
        return
    name = f"duban_bench_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(database="postgres", **PG)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        yield f"postgresql://{PG['user']}@{PG['host']}:{PG['port']}/{name}"
    finally:
        admin = await asyncpg.connect(database="postgres", **PG)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


class RawSQL:
    """A bare driver connection (sqlite3 or asyncpg) for the raw-SQL references.

    Queries use `?` placeholders (turned into `$1, $2…` on PostgreSQL) and datetimes are
    passed as the driver stores them (naive UTC text on SQLite). One connection is kept for
    the whole benchmark, so a reference is never charged a connect the ORM path skips.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.sqlite = url.startswith("sqlite")
        self._lite: sqlite3.Connection | None = None
        self._pg: asyncpg.Connection | None = None

    async def __aenter__(self) -> RawSQL:
        if self.sqlite:
            path = self.url.split("///", 1)[1]
            self._lite = sqlite3.connect(path, check_same_thread=False)
        else:
            self._pg = await asyncpg.connect(self.url)
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._lite is not None:
            self._lite.close()
        if self._pg is not None:
            await self._pg.close()

    def _args(self, args: tuple[Any, ...]) -> tuple[Any, ...]:
        if not self.sqlite:
            return args
        return tuple(
            a.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f") if isinstance(a, datetime) else a
            for a in args
        )

    def _sql(self, sql: str) -> str:
        if self.sqlite:
            return sql
        parts = sql.split("?")
        return parts[0] + "".join(f"${n}{part}" for n, part in enumerate(parts[1:], start=1))

    async def rows(self, sql: str, *args: Any) -> int:
        """Run a query and return how many rows it gave (fetched in full)."""
        if self._lite is not None:
            lite = self._lite
            return await asyncio.to_thread(
                lambda: len(lite.execute(sql, self._args(args)).fetchall())
            )
        assert self._pg is not None
        return len(await self._pg.fetch(self._sql(sql), *args))

    async def stream(self, sql: str, *args: Any) -> int:
        """Read a query's rows one batch at a time (a cursor); return how many there were."""
        if self._lite is not None:
            lite = self._lite
            return await asyncio.to_thread(
                lambda: sum(1 for _ in lite.execute(sql, self._args(args)))
            )
        assert self._pg is not None
        count = 0
        async with self._pg.transaction():
            async for _ in self._pg.cursor(self._sql(sql), *args, prefetch=10_000):
                count += 1
        return count


def _entries(
    pairs: list[tuple[int, int]], count: int, start: datetime, end: datetime, seed: int
) -> Iterator[tuple[Any, ...]]:
    """Yield `count` entries in time order over the pairs, notes mostly unique."""
    rng = random.Random(seed)
    span = (end - start).total_seconds()
    for n in range(count):
        task_row, unit_row = pairs[rng.randrange(len(pairs))]
        note = None if n % 7 == 0 else f"{NOTES[n % len(NOTES)]}（第{n}次）"
        yield (
            task_row, unit_row, None, STATUSES[rng.randrange(len(STATUSES))], note,
            rng.choice((None, 30, 60, 90)), None, "王科长", None,
            start + timedelta(seconds=span * n / count), "cli", None,
        )  # fmt: skip


async def load_entries(
    url: str, count: int, start: datetime, end: datetime, seed: int = 7, batch: int = 100_000
) -> None:
    """Bulk-insert `count` entries over the ledger's (task, unit) pairs, spread over [start, end].

    Raw driver calls (executemany on SQLite, COPY on PostgreSQL) in batches: loading a
    million entries through the ORM would take minutes and is not what is measured.
    """
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1]
        await asyncio.to_thread(_load_sqlite, path, count, start, end, seed, batch)
        return
    conn = await asyncpg.connect(url)
    try:
        pairs = [tuple(r) for r in await conn.fetch("SELECT task_id, unit_id FROM task_owners")]
        rows = _entries(pairs, count, start, end, seed)
        heads: dict[tuple[Any, Any], str] = {}
        while chunk := [r for _, r in zip(range(batch), rows, strict=False)]:
            chunk = chained(chunk, heads)
            await conn.copy_records_to_table(
                "progress_entries", records=chunk, columns=LOAD_COLUMNS
            )
        await conn.execute("VACUUM ANALYZE progress_entries")
    finally:
        await conn.close()


def _load_sqlite(
    path: str, count: int, start: datetime, end: datetime, seed: int, batch: int
) -> None:
    conn = sqlite3.connect(path)
    try:
        pairs = conn.execute("SELECT task_id, unit_id FROM task_owners").fetchall()
        rows = _entries(pairs, count, start, end, seed)
        heads: dict[tuple[Any, Any], str] = {}
        while chunk := [r for _, r in zip(range(batch), rows, strict=False)]:
            with conn:
                linked = [sqlite_row(r) for r in chained(chunk, heads)]
                sqlite_insert(conn, "progress_entries", LOAD_COLUMNS, linked)
        conn.execute("ANALYZE")
    finally:
        conn.close()


def print_figures(figures: list[Figure]) -> None:
    """Print figures as a table: value, target, reference and ratio."""
    for f in figures:
        target = ""
        if f.target is not None:
            target = f"{'≥' if f.higher_is_better else '≤'} {f.target:g} {f.unit}"
            target += " ✓" if f.met else " ✗"
        spread = f" ({f.spread[0]:.3g}–{f.spread[1]:.3g})" if f.spread else ""
        reference = ""
        if f.reference is not None and f.reference_value is not None:
            ratio = "" if f.ratio is None else f" → ×{f.ratio:.2f}"
            reference = f"  vs {f.reference} {f.reference_value:.4g}{ratio}"
        note = f"  [{f.note}]" if f.note else ""
        print(f"{f.name:<58} {f.value:>10.4g} {f.unit:<9}{spread} {target}{reference}{note}")


CN_DIGITS = "一二三四五六七八九十"
_CHAPTER = re.compile(r"^(\s*)[一二三四五六七八九十]+、")
_TASK = re.compile(r"^\s*[（(][一二三四五六七八九十\d]+[）)]")


def chinese_number(n: int) -> str:
    """Return 1..99 in Chinese numerals."""
    tens, ones = divmod(n, 10)
    head = (CN_DIGITS[tens - 1] if tens > 1 else "") + ("十" if tens else "")
    return head + (CN_DIGITS[ones - 1] if ones else "")


def scaled_seed_text(copies: int) -> str:
    """Return the seed plan's text `copies` times over, in the same style: its chapters
    repeated (renumbered 一、… 七十、), and past 14 copies each chapter's tasks repeated too
    (numbered （1）…), so a plan 100× the seed has 70 chapters of 29 tasks each."""
    lines = decode_text(default_plan_path().read_bytes()).splitlines()
    preface, body = lines[:1], lines[1:]
    chapters: list[tuple[str, list[list[str]]]] = []
    for line in body:
        if _CHAPTER.match(line):
            chapters.append((line, []))
        elif _TASK.match(line):
            chapters[-1][1].append([line])
        else:
            chapters[-1][1][-1].append(line)
    chapter_copies = copies if copies <= 14 else 10
    task_copies = max(1, copies // chapter_copies)
    out = list(preface)
    number = 0
    for _ in range(chapter_copies):
        for heading, tasks in chapters:
            number += 1
            found = _CHAPTER.match(heading)
            assert found is not None
            out.append(f"{found.group(1)}{chinese_number(number)}、{heading[found.end() :]}")
            for index, task in enumerate(tasks * task_copies, start=1):
                first = task[0]
                if task_copies > 1:
                    marker = _TASK.match(first)
                    assert marker is not None
                    first = f"（{index}）{first[marker.end() :]}"
                out += [first, *task[1:]]
    return "\n".join(out) + "\n"
