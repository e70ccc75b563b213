"""Helpers for the integrity tests: a small ledger history, and changes made behind its back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select, text

from storage.append_only import drop_append_only_ddl
from storage.chain import entry_hash
from storage.database import Database
from storage.extensions import decide_extension, request_extension
from storage.models import EntryRow
from storage.progress import attach_evidence, record_entry
from storage.records import EntryDraft, EntryRecord, EntryStatus, ExtensionRecord
from tests.conftest import LEDGER_NOW

JUNE_20 = LEDGER_NOW.replace(month=6, day=20)


@dataclass(frozen=True)
class History:
    """What `write_history` recorded: four entries of 2.3/社救科, one of 2.4/社救科."""

    entries: list[EntryRecord]
    """2.3/社救科 in order: in progress, blocked, extension (decided), in progress."""
    other: EntryRecord
    extension: ExtensionRecord


def draft(task: str, unit: str, status: EntryStatus, **extra: Any) -> EntryDraft:
    """Return a draft as the bot would make it."""
    return EntryDraft(task, unit, status, reporter="科长", source="telegram", **extra)


async def write_history(db: Database) -> History:
    """Record a short history with evidence and an approved extension."""
    async with db.session() as session:
        steps: list[tuple[EntryStatus, dict[str, Any]]] = [
            ("in_progress", {"note": "签约中", "percent": 40}),
            ("blocked", {"note": "对方未回复"}),
            ("extension", {"note": "对方未签字", "proposed_date": date(2022, 8, 31)}),
            ("in_progress", {"note": "重新对接", "percent": 60}),
        ]
        entries = [
            await record_entry(session, draft("2.3", "社救科", status, **extra), at)
            for (status, extra), at in zip(
                steps, (JUNE_20 + timedelta(days=i) for i in range(4)), strict=True
            )
        ]
        await attach_evidence(session, entries[0].id, "FILE-1", "photo", JUNE_20)
        request = await request_extension(
            session, entries[2].id, date(2022, 8, 31), entries[2].created_at
        )
        decided = await decide_extension(
            session, request.id, True, "局长", entries[2].created_at + timedelta(hours=2)
        )
        other = await record_entry(session, draft("2.4", "社救科", "done"), JUNE_20)
    return History(entries, other, decided)


async def behind_its_back(db: Database, table: str, statement: str, **params: Any) -> None:
    """Drop `table`'s append-only triggers and run one statement, as an intruder would."""
    async with db.engine.begin() as conn:
        for ddl in drop_append_only_ddl(db.dialect, table):
            await conn.exec_driver_sql(ddl)
        await conn.execute(text(statement), params)


async def rewrite_note(db: Database, entry_id: int, note: str) -> None:
    """Change an entry's note and recompute its own hash, so only the next link shows it."""
    async with db.session(readonly=True) as session:
        row = await session.scalar(select(EntryRow).where(EntryRow.id == entry_id))
        assert row is not None
        values = {c.key: getattr(row, c.key) for c in EntryRow.__table__.columns}
    values["note"] = note
    await behind_its_back(
        db,
        "progress_entries",
        "UPDATE progress_entries SET note = :note, hash = :hash WHERE id = :id",
        note=note,
        hash=entry_hash(values["prev_hash"], values),
        id=entry_id,
    )
