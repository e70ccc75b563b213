"""Entries streamed in batches for the ledger: every entry once, in order, one snapshot."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime

import pytest

from reports.ledger_xlsx import _pipe
from storage.database import Database
from storage.report_queries import LedgerEntry, entries_page, stream_entries
from tests.reports.seed import HISTORY, SH, WEEK27, WEEK28, seed_history


async def _streamed(
    db: Database, until: datetime, since: datetime | None = None, batch: int = 2
) -> list[list[LedgerEntry]]:
    async with db.session(readonly=True) as session:
        return [b async for b in stream_entries(session, until, since, batch=batch)]


async def test_batches_cover_every_entry_once_in_recorded_order(ledger: Database) -> None:
    await seed_history(ledger)
    batches = await _streamed(ledger, WEEK28)
    assert all(0 < len(b) <= 2 for b in batches)
    streamed = [e for b in batches for e in b]
    async with ledger.session() as session:
        _, whole = await entries_page(session, WEEK28, limit=1000)
    assert streamed == whole
    assert len(streamed) == len(HISTORY) + 1
    assert all(e.at.utcoffset() is not None for e in streamed)


async def test_the_window_bounds_the_stream(ledger: Database) -> None:
    await seed_history(ledger)
    june = datetime(2022, 6, 1, tzinfo=SH)
    streamed = [e for b in await _streamed(ledger, WEEK27, june, batch=100) for e in b]
    assert [(e.task, e.status) for e in streamed] == [
        ("2.1", "blocked"),
        ("2.3", "in_progress"),
        ("3.2", "blocked"),
        ("4.1", "in_progress"),
        ("7.3", "done"),
        ("2.3", "extension"),  # recorded last, though asked before 7.3 was done
    ]
    assert all(june <= e.at <= WEEK27 for e in streamed)


async def test_an_empty_window_yields_no_batch(ledger: Database) -> None:
    assert await _streamed(ledger, WEEK28) == []


async def test_a_failed_write_stops_the_stream_and_is_raised() -> None:
    closed = []

    async def batches() -> AsyncGenerator[list[LedgerEntry], None]:
        try:
            for n in range(10):
                yield [LedgerEntry(f"{n}.1", "社救科", "done", None, None, None, "王", WEEK27)]
        finally:
            closed.append(True)

    written: list[str] = []

    def write(batch: list[LedgerEntry]) -> None:
        if batch[0].task == "2.1":
            raise OSError("disk full")
        written.append(batch[0].task)

    with pytest.raises(OSError, match="disk full"):
        await _pipe(batches(), write)
    assert written == ["0.1", "1.1"]
    assert closed == [True]
