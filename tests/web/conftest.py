"""A running board over the seeded ledger, on SQLite and PostgreSQL, with a frozen clock.

- `board`: a `BoardServer` on 127.0.0.1 (a free port) for the `ledger` fixture with the
  seed history of tests/reports/seed.py, one evidence file on disk (2.3 社救科's report
  of 6月20日 carries it), the clock frozen at NOW (Monday 4 July 2022, 10:00).
- `board.link(scope)` makes a single-use login URL as `duban web link` does.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web
from sqlalchemy import select

from core.evidence import EvidenceStore
from scheduler.clock import FrozenClock
from storage.database import Database
from storage.models import EntryRow, TaskRow
from storage.progress import attach_evidence
from tests.reports.seed import seed_history
from web.app import build_web_routes
from web.auth import create_login_link
from web.config import WebConfig

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2022, 7, 4, 10, 0, tzinfo=SH)


def _png(width: int, height: int) -> bytes:
    """Return a small red PNG (evidence photos are pictures)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\xd3\x2f\x2f" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


EVIDENCE = _png(8, 6)
EVIDENCE_NOTE = "已完成3家机构洽谈"
EVIDENCE_NAME = "签约现场.png"


@dataclass
class BoardServer:
    """A board served on a real port, and the means to make links for it."""

    db: Database
    clock: FrozenClock
    config: WebConfig
    url: str
    app: web.Application

    async def link(self, scope: str | None, ttl: timedelta = timedelta(hours=24)) -> str:
        """Return a fresh login URL for a unit or (None / "leadership") the leadership."""
        async with self.db.session() as session:
            token, _ = await create_login_link(session, scope, self.clock.now(), ttl)
        return self.config.login_url(token)


async def add_evidence(db: Database, folder: Path) -> str:
    """Keep a photo in the evidence store and attach it to 2.3 社救科's 6-20 report, beside
    a file known only by its chat reference."""
    kept = EvidenceStore(folder).put(EVIDENCE, EVIDENCE_NAME, "image/png")
    async with db.session() as session:
        entry_id = await session.scalar(
            select(EntryRow.id)
            .join(TaskRow, TaskRow.id == EntryRow.task_id)
            .where(TaskRow.task_id == "2.3", EntryRow.note == EVIDENCE_NOTE)
        )
        assert entry_id is not None
        await attach_evidence(
            session,
            entry_id,
            "AgACAgUAAx-kept",
            "photo",
            NOW - timedelta(days=14),
            sha256=kept.sha256,
            file_name=kept.name,
            mime_type=kept.mime_type,
            size=kept.size,
        )
        await attach_evidence(session, entry_id, "AgACAgUAAx-telegram-only", "photo", NOW)
    return kept.sha256


@pytest.fixture
async def board(ledger: Database, tmp_path: Path) -> AsyncIterator[BoardServer]:
    """Serve the board for the seeded ledger on a free local port."""
    await seed_history(ledger)
    evidence = tmp_path / "evidence"
    await add_evidence(ledger, evidence)
    clock = FrozenClock(NOW)
    app = build_web_routes(ledger, clock, SH, WebConfig(evidence_dir=evidence, refresh_seconds=0))
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    url = f"http://127.0.0.1:{port}"
    config = WebConfig(public_url=url, evidence_dir=evidence)
    try:
        yield BoardServer(ledger, clock, config, url, app)
    finally:
        await runner.cleanup()
