"""Backups of the ledger and restoring one, checked before it replaces anything.

- SQLite: SQLite's online backup API copies the live ledger in one read transaction, so the
  copy is consistent while the service keeps writing; it is a single 0600 file
  `duban-YYYYMMDD-HHMMSS.db` (rollback journal, no WAL to carry along).
- PostgreSQL: `pg_dump --format=custom --file DIR/duban-YYYYMMDD-HHMMSS.dump URL` (the
  password goes through PGPASSWORD, never the command line); without pg_dump on PATH the
  exact command is given back instead (`ToolMissing`).
- Restore opens the backup, migrates it and verifies its hash chains in a scratch copy
  (SQLite: a file beside the target; PostgreSQL: a scratch database), and only then puts
  it in place. A target that already holds a ledger is replaced only with `force`, and is
  itself backed up first.

File names use the wall time of the `now` given (the service passes its office clock).
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from storage import pg_tools, urls
from storage.database import Database, open_existing
from storage.errors import BackupFailed, RestoreRefused
from storage.private_files import (
    SQLITE_COMPANIONS,
    create_private,
    make_private,
    sqlite_companion,
)
from storage.verify import VerifyResult, verify_ledger

PREFIX = "duban-"
DAILY_PREFIX = "duban-daily-"
BEFORE_RESTORE_PREFIX = "duban-before-restore-"
SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
_DAILY = re.compile(r"duban-daily-(\d{8})-\d{6}(-\d+)?\.(db|dump)")


@dataclass(frozen=True, slots=True)
class DailyBackup:
    """What one `backup_daily` call did."""

    path: Path
    """Today's backup (made now, or earlier today)."""
    made: bool
    removed: tuple[Path, ...]
    """Older daily backups deleted to keep the newest `keep`."""


@dataclass(frozen=True, slots=True)
class Restored:
    """A restore that happened: the checked ledger is in place."""

    target: str
    """The target database URL, password hidden."""
    verified: VerifyResult
    kept: Path | None
    """A backup of the ledger that was replaced (only with `force`)."""


def sqlite_path(url: str) -> Path | None:
    """Return the file of a SQLite URL, None for PostgreSQL; raise for an in-memory ledger."""
    parsed = urls.parse(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BackupFailed(f"cannot back up or restore {urls.redact(url)}: not a ledger file")
    return Path(database).expanduser()


def backup_name(now: datetime, suffix: str, prefix: str = PREFIX) -> str:
    """Return `duban-YYYYMMDD-HHMMSS.db` (or `.dump`) for an instant."""
    return f"{prefix}{now:%Y%m%d-%H%M%S}.{suffix}"


async def backup(url: str, directory: Path, now: datetime, *, prefix: str = PREFIX) -> Path:
    """Back up the ledger at `url` into `directory` (created 0700); return the new file."""
    source = sqlite_path(url)
    await asyncio.to_thread(directory.mkdir, mode=0o700, parents=True, exist_ok=True)
    if source is None:
        target = _free_name(directory, backup_name(now, "dump", prefix))
        await asyncio.to_thread(pg_tools.dump, url, target)
    else:
        target = _free_name(directory, backup_name(now, "db", prefix))
        await asyncio.to_thread(_sqlite_backup, source, target)
    return target


async def backup_daily(url: str, directory: Path, now: datetime, keep: int) -> DailyBackup:
    """Make today's backup unless one exists, then delete all but the newest `keep` dailies.

    Only files this function makes (`duban-daily-YYYYMMDD-HHMMSS.db`/`.dump`) are ever
    deleted; backups made by hand in the same directory are left alone. Call it once a day
    (and at start-up: a second call on the same day does nothing).
    """
    if keep < 1:
        raise ValueError("keep at least one daily backup")
    today = f"{now:%Y%m%d}"
    existing = await asyncio.to_thread(_dailies, directory)
    made = [p for p in existing if _day(p) == today]
    if made:
        path, fresh = made[-1], False
    else:
        path, fresh = await backup(url, directory, now, prefix=DAILY_PREFIX), True
        existing = await asyncio.to_thread(_dailies, directory)
    removed = tuple(existing[:-keep])
    for old in removed:
        await asyncio.to_thread(old.unlink, missing_ok=True)
    return DailyBackup(path, fresh, removed)


async def restore(file: Path, url: str, now: datetime, *, force: bool = False) -> Restored:
    """Check the backup `file` (opens, migrates, verifies), then make it the ledger at `url`."""
    head = await asyncio.to_thread(_head, file)
    target = sqlite_path(url)
    if target is None:
        if not head.startswith(PG_DUMP_MAGIC):
            raise RestoreRefused(f"{file} is not a pg_dump archive (custom format)")
        return await _restore_postgres(file, url, now, force)
    if not head.startswith(SQLITE_MAGIC):
        raise RestoreRefused(f"{file} is not a SQLite ledger backup")
    return await _restore_sqlite(file, target, now, force)


async def verify_url(url: str) -> VerifyResult:
    """Open (and migrate) the ledger at `url` and verify its chains."""
    db = await Database.connect(url)
    try:
        async with db.session(readonly=True) as session:
            return await verify_ledger(session)
    finally:
        await db.close()


# SQLite ------------------------------------------------------------------------------------


def _sqlite_backup(source: Path, target: Path) -> None:
    """Copy a live SQLite database into a new private file, atomically."""
    if not source.is_file():
        raise BackupFailed(f"no ledger at {source}")
    part = target.with_name(f".{target.name}.part")
    part.unlink(missing_ok=True)
    create_private(part)
    try:
        with closing(open_existing(source)) as src, closing(sqlite3.connect(part)) as dst:
            # One step: the whole copy is read in one transaction, a consistent snapshot.
            src.backup(dst)
            # A backup is one self-contained file: no WAL beside it.
            dst.execute("PRAGMA journal_mode=DELETE")
        _fsync(part)
        os.replace(part, target)
    except BaseException:
        part.unlink(missing_ok=True)
        raise


async def _restore_sqlite(file: Path, target: Path, now: datetime, force: bool) -> Restored:
    occupied = await asyncio.to_thread(_holds_data, target)
    if occupied and not force:
        raise RestoreRefused(
            f"{target} already holds a ledger; add --force to replace it"
            " (it is backed up beside it first)"
        )
    await asyncio.to_thread(target.parent.mkdir, parents=True, exist_ok=True)
    scratch = target.with_name(f".{target.name}.restore-{secrets.token_hex(4)}")
    try:
        await asyncio.to_thread(_sqlite_backup, file, scratch)
        await asyncio.to_thread(_quick_check, scratch, file)
        verified = await verify_url(f"sqlite:///{scratch}")
        if not verified.ok:
            raise RestoreRefused(_refusal(file, verified))
        kept = None
        if occupied:
            await asyncio.to_thread(_ensure_unused, target)
            kept = await backup(
                f"sqlite:///{target}", target.parent, now, prefix=BEFORE_RESTORE_PREFIX
            )
        await asyncio.to_thread(_put_in_place, scratch, target)
    finally:
        await asyncio.to_thread(_remove_with_companions, scratch)
    return Restored(str(target), verified, kept)


def _holds_data(path: Path) -> bool:
    return path.is_file() and path.stat().st_size > 0


def _quick_check(path: Path, shown: Path) -> None:
    try:
        with closing(open_existing(path)) as conn:
            result = conn.execute("PRAGMA quick_check").fetchone()
    except sqlite3.DatabaseError as exc:
        raise RestoreRefused(f"{shown} cannot be opened: {exc}") from exc
    if result is None or result[0] != "ok":
        raise RestoreRefused(f"{shown} is damaged: {result[0] if result else 'no answer'}")


def _ensure_unused(path: Path) -> None:
    """Refuse to replace a ledger that a running service has open (it holds a lock)."""
    with closing(sqlite3.connect(path, timeout=0.2, isolation_level=None)) as conn:
        try:
            conn.execute("PRAGMA locking_mode=EXCLUSIVE")
            conn.execute("BEGIN EXCLUSIVE")
            conn.execute("ROLLBACK")
        except sqlite3.OperationalError as exc:
            raise RestoreRefused(
                f"{path} is in use ({exc}); stop `duban run` before restoring"
            ) from exc


def _put_in_place(scratch: Path, target: Path) -> None:
    # The old ledger's WAL must not be replayed into the restored file.
    for suffix in SQLITE_COMPANIONS:
        sqlite_companion(target, suffix).unlink(missing_ok=True)
    make_private(scratch)
    os.replace(scratch, target)
    _fsync(target.parent)


def _remove_with_companions(path: Path) -> None:
    for candidate in (path, *(sqlite_companion(path, s) for s in SQLITE_COMPANIONS)):
        candidate.unlink(missing_ok=True)


# PostgreSQL --------------------------------------------------------------------------------


async def _restore_postgres(file: Path, url: str, now: datetime, force: bool) -> Restored:
    pg_tools.require("pg_restore", pg_tools.pg_restore_command(url, file, clean=force))
    db = await Database.connect(url, migrate=False)
    try:
        occupied = await pg_tools.holds_tables(db)
        if occupied and not force:
            raise RestoreRefused(
                f"{urls.redact(url)} already holds a ledger; add --force to replace it"
                " (it is dumped beside the backup first)"
            )
        async with pg_tools.scratch_database(db, url) as scratch:
            await asyncio.to_thread(pg_tools.load, scratch, file, clean=False)
            verified = await verify_url(scratch)
    finally:
        await db.close()
    if not verified.ok:
        raise RestoreRefused(_refusal(file, verified))
    kept = None
    if occupied:
        kept = await backup(url, file.parent, now, prefix=BEFORE_RESTORE_PREFIX)
    await asyncio.to_thread(pg_tools.load, url, file, clean=occupied)
    after = await verify_url(url)
    if not after.ok:  # the same dump verified in the scratch database: should never happen
        raise BackupFailed(f"the restored ledger does not verify: {after.breaks[0]}")
    return Restored(urls.redact(url), after, kept)


# Files -------------------------------------------------------------------------------------


def _free_name(directory: Path, name: str) -> Path:
    """Return directory/name, or name-1, name-2… when a backup made this second exists."""
    path = directory / name
    stem, dot, suffix = name.rpartition(".")
    counter = 0
    while path.exists():
        counter += 1
        path = directory / f"{stem}-{counter}{dot}{suffix}"
    return path


def _dailies(directory: Path) -> list[Path]:
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if _DAILY.fullmatch(p.name))


def _day(path: Path) -> str:
    found = _DAILY.fullmatch(path.name)
    return found.group(1) if found else ""


def _head(file: Path) -> bytes:
    try:
        with file.open("rb") as handle:
            return handle.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise RestoreRefused(f"cannot read {file}: {exc.strerror or exc}") from exc


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _refusal(file: Path, verified: VerifyResult) -> str:
    shown = "; ".join(str(b) for b in verified.breaks[:3])
    more = f" (and {len(verified.breaks) - 3} more)" if len(verified.breaks) > 3 else ""
    return f"{file} does not verify, nothing was restored: {shown}{more}"
