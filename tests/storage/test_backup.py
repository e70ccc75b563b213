"""Backups of a live ledger restore and verify; a tampered backup never replaces a ledger."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import stat
import sys
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import inspect

from cli.main import main
from cli.settings import BadSettings, Settings
from plan_data import default_plan_path
from storage.append_only import drop_append_only_ddl
from storage.backup import backup, backup_daily, restore, verify_url
from storage.bootstrap import open_ledger
from storage.database import Database
from storage.errors import BackupFailed, RestoreRefused
from storage.progress import count_entries
from tests.conftest import LEDGER_NOW, PostgresPool
from tests.storage.integrity import JUNE_20, behind_its_back, write_history

ROOT = Path(__file__).resolve().parents[2]
WRITES = 150


def mode(path: Path) -> int | None:
    """Return a file's permission bits, or None if it does not exist."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return None


@pytest.fixture
def umask_022() -> Iterator[None]:
    """Run with the usual umask, under which files are world-readable unless made private."""
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.fixture
async def empty_url(
    database_url: str, tmp_path: Path, postgres_pool: PostgresPool
) -> AsyncIterator[str]:
    """Yield an empty restore target of the same kind as `database_url`."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored' / 'duban.db'}"
        return
    async with postgres_pool.database() as url:
        yield url


async def entries_in(url: str) -> int:
    db = await Database.connect(url)
    try:
        async with db.session(readonly=True) as session:
            return await count_entries(session)
    finally:
        await db.close()


async def holds_a_ledger(url: str) -> bool:
    """Return whether the SQLite file exists, or the PostgreSQL database has any table."""
    if url.startswith("sqlite"):
        return mode(Path(url.removeprefix("sqlite:///"))) is not None
    db = await Database.connect(url, migrate=False)
    try:
        async with db.engine.connect() as conn:
            return bool(await conn.run_sync(lambda c: inspect(c).get_table_names()))
    finally:
        await db.close()


async def test_a_backup_taken_while_another_process_writes_restores_and_verifies(
    ledger: Database, database_url: str, tmp_path: Path, postgres_pool: PostgresPool
) -> None:
    writer = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.storage.writer",
        ledger.engine.url.render_as_string(False),
        "writer",
        str(WRITES),
        str(WRITES // 3),
        cwd=ROOT,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert writer.stdin is not None
    assert writer.stdout is not None
    try:
        # The writer holds a third of the way in: the first backup is certainly mid-write.
        assert (await writer.stdout.readline()).strip() == b"paused"
        backups = [await backup(database_url, tmp_path / "backups", JUNE_20)]
        writer.stdin.write(b"go on\n")
        await writer.stdin.drain()
        # Then one while it writes (wherever it has got to).
        backups.append(await backup(database_url, tmp_path / "backups", JUNE_20))
    finally:
        out, err = await writer.communicate()
    assert writer.returncode == 0, err.decode()
    assert out.decode().strip() == "ok"
    total = await entries_in(database_url)
    counts = []
    for made in backups[:2]:
        if ledger.dialect == "sqlite":
            done = await restore(made, f"sqlite:///{made}.restored", JUNE_20)
        else:
            async with postgres_pool.database() as target:
                done = await restore(made, target, JUNE_20)
        assert done.verified.ok
        counts.append(done.verified.entries)
    assert all(0 < n <= total for n in counts)
    assert counts[0] < total  # taken mid-write: a consistent earlier state


async def test_restore_verifies_and_a_tampered_backup_is_refused(
    ledger: Database, database_url: str, empty_url: str, tmp_path: Path
) -> None:
    history = await write_history(ledger)
    good = await backup(database_url, tmp_path / "backups", JUNE_20)
    changed = history.entries[1]
    await behind_its_back(
        ledger,
        "progress_entries",
        "UPDATE progress_entries SET note = :note WHERE id = :id",
        note="已解决",
        id=changed.id,
    )
    tampered = await backup(database_url, tmp_path / "backups", JUNE_20)
    with pytest.raises(RestoreRefused, match=f"entry {changed.id} of 2.3/社救科: content"):
        await restore(tampered, empty_url, JUNE_20)
    assert not await holds_a_ledger(empty_url)
    done = await restore(good, empty_url, JUNE_20)
    assert (done.verified.ok, done.verified.entries, done.kept) == (True, 5, None)
    assert (await verify_url(empty_url)).ok
    assert await entries_in(empty_url) == 5


async def test_a_backup_file_changed_afterwards_is_refused(
    sqlite_url: str, tmp_path: Path
) -> None:
    db = await open_ledger(sqlite_url, default_plan_path(), LEDGER_NOW)
    try:
        history = await write_history(db)
    finally:
        await db.close()
    made = await backup(sqlite_url, tmp_path / "backups", JUNE_20)
    with sqlite3.connect(made) as conn:
        for ddl in drop_append_only_ddl("sqlite", "progress_entries"):
            conn.execute(ddl)
        conn.execute("UPDATE progress_entries SET percent = 100 WHERE id = ?", (history.other.id,))
    target = tmp_path / "restored" / "duban.db"
    with pytest.raises(RestoreRefused, match=f"entry {history.other.id} of 2.4/社救科"):
        await restore(made, f"sqlite:///{target}", JUNE_20)
    assert not target.exists()
    assert [p.name for p in target.parent.iterdir()] == []  # no scratch file left behind


async def test_restore_replaces_a_ledger_with_data_only_when_forced(
    ledger: Database, database_url: str, tmp_path: Path
) -> None:
    await write_history(ledger)
    made = await backup(database_url, tmp_path / "backups", JUNE_20)
    with pytest.raises(RestoreRefused, match="already holds a ledger; add --force"):
        await restore(made, database_url, JUNE_20)
    if ledger.dialect == "sqlite":
        with pytest.raises(RestoreRefused, match="in use"):
            await restore(made, database_url, JUNE_20, force=True)
        await ledger.close()
    later = JUNE_20 + timedelta(hours=1)
    done = await restore(made, database_url, later, force=True)
    assert done.verified.ok
    assert done.kept is not None
    assert done.kept.name.startswith("duban-before-restore-20220620-100000.")
    assert mode(done.kept) == 0o600
    assert await entries_in(database_url) == 5


async def test_a_file_that_is_not_a_backup_is_refused(
    database_url: str, empty_url: str, tmp_path: Path
) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("not a ledger", encoding="utf-8")
    with pytest.raises(RestoreRefused, match="is not a"):
        await restore(junk, empty_url, JUNE_20)
    with pytest.raises(RestoreRefused, match="cannot read"):
        await restore(tmp_path / "missing.db", empty_url, JUNE_20)


@pytest.mark.usefixtures("umask_022")
async def test_backups_are_readable_by_their_owner_only(
    ledger: Database, database_url: str, tmp_path: Path
) -> None:
    made = await backup(database_url, tmp_path / "backups", JUNE_20)
    again = await backup(database_url, tmp_path / "backups", JUNE_20)
    assert made.name == "duban-20220620-090000." + ("db" if ledger.dialect == "sqlite" else "dump")
    assert again.name == made.name.replace(".", "-1.")
    assert mode(made) == mode(again) == 0o600
    assert mode(tmp_path / "backups") == 0o700
    assert {p.name for p in (tmp_path / "backups").iterdir()} == {made.name, again.name}
    if ledger.dialect == "sqlite":  # a rollback-journal file: nothing needs to travel with it
        assert made.read_bytes()[18:20] == b"\x01\x01"


@pytest.mark.usefixtures("umask_022")
async def test_the_sqlite_ledger_its_wal_and_shm_are_private(sqlite_url: str) -> None:
    path = Path(sqlite_url.removeprefix("sqlite:///"))
    db = await open_ledger(sqlite_url, default_plan_path(), LEDGER_NOW)
    try:
        await write_history(db)
        wal, shm = Path(f"{path}-wal"), Path(f"{path}-shm")
        assert (mode(path), mode(wal), mode(shm)) == (0o600, 0o600, 0o600)
    finally:
        await db.close()


@pytest.mark.usefixtures("umask_022")
async def test_an_older_world_readable_ledger_is_made_private(sqlite_url: str) -> None:
    path = Path(sqlite_url.removeprefix("sqlite:///"))
    path.parent.mkdir(parents=True)
    sqlite3.connect(path).close()  # as duban made it before: 0644
    assert mode(path) == 0o644
    db = await Database.connect(sqlite_url)
    await db.close()
    assert mode(path) == 0o600


async def test_daily_backups_keep_the_newest_n_and_leave_other_files_alone(
    ledger: Database, database_url: str, tmp_path: Path
) -> None:
    folder = tmp_path / "daily"
    manual = await backup(database_url, folder, JUNE_20 - timedelta(days=30))
    results = []
    for day in range(5):
        results.append(await backup_daily(database_url, folder, JUNE_20 + timedelta(day), 3))
    again = await backup_daily(database_url, folder, JUNE_20 + timedelta(days=4, hours=5), 3)
    names = sorted(p.name for p in folder.iterdir())
    suffix = "db" if ledger.dialect == "sqlite" else "dump"
    assert names == [
        f"duban-20220521-090000.{suffix}",
        *(f"duban-daily-202206{d}-090000.{suffix}" for d in (22, 23, 24)),
    ]
    assert manual.exists()
    assert [r.made for r in results] == [True] * 5
    assert [len(r.removed) for r in results] == [0, 0, 0, 1, 1]
    assert (again.made, again.path, again.removed) == (False, results[-1].path, ())
    with pytest.raises(ValueError, match="keep at least one"):
        await backup_daily(database_url, folder, JUNE_20, 0)


def test_backup_and_restore_from_the_command_line(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clock = ["--db", sqlite_url, "--clock", "2022-06-20T09:00:00+08:00"]
    assert main([*clock, "report", "2.3", "--unit", "社救科", "--status", "done"]) == 0
    assert main([*clock, "backup", str(tmp_path / "b")]) == 0
    made = tmp_path / "b" / "duban-20220620-090000.db"
    assert capsys.readouterr().out.endswith(f"backed up {sqlite_url} to {made}\n")
    target = f"sqlite:///{tmp_path / 'r' / 'duban.db'}"
    assert main([*clock, "restore", str(made), "--to", target]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"restored {made} into {tmp_path / 'r' / 'duban.db'}",
        "ledger verified: 1 entries in 1 chains",
    ]
    assert main([*clock, "restore", str(made), "--to", target]) == 1
    assert "already holds a ledger; add --force" in capsys.readouterr().err
    assert main([*clock, "restore", str(made), "--to", target, "--force"]) == 0
    assert "the ledger it replaced is kept in" in capsys.readouterr().out


@pytest.mark.postgres
def test_without_pg_dump_backup_prints_the_exact_command(
    postgres_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "nothing-here"))
    secret = postgres_url.replace("postgres@", "postgres:s3cret@")
    argv = ["--db", secret, "--clock", "2022-06-20T09:00:00+08:00", "backup", str(tmp_path)]
    assert main(argv) == 1
    captured = capsys.readouterr()
    name = postgres_url.rsplit("/", 1)[1]
    assert captured.out == (
        f"pg_dump --format=custom --file {tmp_path}/duban-20220620-090000.dump"
        f" postgresql://postgres@127.0.0.1:5432/{name}\n"
    )
    assert "s3cret" not in captured.out + captured.err
    assert "PGPASSWORD" in captured.err


def test_a_memory_ledger_cannot_be_backed_up(tmp_path: Path) -> None:
    with pytest.raises(BackupFailed, match="not a ledger file"):
        asyncio.run(backup("sqlite:///:memory:", tmp_path, JUNE_20))


def test_daily_backups_go_beside_a_sqlite_ledger_unless_a_folder_is_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env of the developer's
    monkeypatch.delenv("DUBAN_BACKUP_DIR", raising=False)
    monkeypatch.delenv("DUBAN_BACKUP_KEEP", raising=False)
    monkeypatch.setenv("DUBAN_DATABASE_URL", f"sqlite:///{tmp_path}/office/duban.db")
    assert (Settings.read().daily_backup_dir, Settings.read().backup_keep) == (
        tmp_path / "office" / "backups",
        14,
    )
    monkeypatch.setenv("DUBAN_DATABASE_URL", "postgresql://duban@127.0.0.1/duban")
    assert Settings.read().daily_backup_dir is None
    monkeypatch.setenv("DUBAN_BACKUP_DIR", str(tmp_path / "nas"))
    monkeypatch.setenv("DUBAN_BACKUP_KEEP", "30")
    assert (Settings.read().daily_backup_dir, Settings.read().backup_keep) == (
        tmp_path / "nas",
        30,
    )
    monkeypatch.setenv("DUBAN_BACKUP_KEEP", "0")
    with pytest.raises(BadSettings, match="DUBAN_BACKUP_KEEP"):
        Settings.read()
