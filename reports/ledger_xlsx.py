"""The ledger (台账) as an Excel workbook: a row per (task, unit), then every entry."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import IO
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from reports.digest import classify
from reports.model import ReportRow
from reports.source import read_report_input
from reports.xlsx_sheets import EntriesSheet, new_workbook, save_workbook, write_ledger_sheet
from storage.database import Database
from storage.report_queries import LedgerEntry, stream_entries
from storage.status import StatusRules
from vocabulary import DEFAULT_TZ


@dataclass(frozen=True, slots=True)
class LedgerSummary:
    """What went into a ledger workbook."""

    rows: int
    entries: int


def entry_window(
    as_of: datetime,
    date_from: date | None,
    date_to: date | None,
    tz: ZoneInfo = DEFAULT_TZ,
) -> tuple[datetime | None, datetime]:
    """Return [since, until] for entries: whole local days, never past as_of."""
    if date_from is not None and date_to is not None and date_from > date_to:
        raise ValueError(f"--from {date_from} is after --to {date_to}")
    since = None if date_from is None else datetime.combine(date_from, time(0), tzinfo=tz)
    until = as_of
    if date_to is not None:
        end_of_day = datetime.combine(date_to + timedelta(days=1), time(0), tzinfo=tz)
        until = min(as_of, end_of_day - timedelta(microseconds=1))
    return since, until


async def write_ledger(
    db: Database,
    path_or_stream: str | Path | IO[bytes],
    as_of: datetime,
    date_from: date | None = None,
    date_to: date | None = None,
    tz: ZoneInfo = DEFAULT_TZ,
    rules: StatusRules | None = None,
) -> LedgerSummary:
    """Write the ledger workbook as of as_of; entries limited to --from/--to days if given.

    Both sheets come from one read-only transaction (one snapshot; on SQLite it never
    blocks writers). Entries stream from the database in batches while the previous batch
    is written in a worker thread, so memory stays flat and the event loop stays free.
    """
    since, until = entry_window(as_of, date_from, date_to, tz)
    book = new_workbook()
    try:
        async with db.session(readonly=True) as session:
            source = await read_report_input(session, as_of, rules=rules, tz=tz)
            categories = {(r.task, r.unit): classify(r) for r in source.rows}
            rows = await asyncio.to_thread(write_ledger_sheet, book, source.rows, categories, tz)
            entries = EntriesSheet(book, tz)
            await _pipe(stream_entries(session, until, since), entries.add)
        entries.finish()
        target = str(path_or_stream) if isinstance(path_or_stream, Path) else path_or_stream
        await asyncio.to_thread(save_workbook, book, target)
    finally:
        book.spool.close()
    return LedgerSummary(rows=rows, entries=entries.count)


async def write_task_ledger(
    session: AsyncSession,
    target: Path,
    rows: Sequence[ReportRow],
    until: datetime,
    since: datetime | None = None,
    tz: ZoneInfo = DEFAULT_TZ,
) -> LedgerSummary:
    """Write one task's part of the ledger: its rows (a row per unit) and its entries.

    The same two sheets as the whole ledger, read in the caller's (read-only) session.
    """
    task_ids = {r.task for r in rows}
    if len(task_ids) != 1:
        raise ValueError("a task ledger holds the rows of exactly one task")
    book = new_workbook()
    try:
        categories = {(r.task, r.unit): classify(r) for r in rows}
        count = await asyncio.to_thread(write_ledger_sheet, book, rows, categories, tz)
        entries = EntriesSheet(book, tz)
        await _pipe(stream_entries(session, until, since, task_id=task_ids.pop()), entries.add)
        entries.finish()
        await asyncio.to_thread(save_workbook, book, str(target))
    finally:
        book.spool.close()
    return LedgerSummary(rows=count, entries=entries.count)


async def _pipe(
    batches: AsyncGenerator[list[LedgerEntry], None], write: Callable[[list[LedgerEntry]], None]
) -> None:
    """Write each batch in a worker thread while the next one is read (one at a time)."""
    loop = asyncio.get_running_loop()
    writing: asyncio.Future[None] | None = None
    try:
        async with contextlib.aclosing(batches):  # a failed write ends the query at once
            async for batch in batches:
                if writing is not None:
                    done, writing = writing, None
                    await done
                writing = loop.run_in_executor(None, write, batch)
    finally:
        if writing is not None:
            await writing
