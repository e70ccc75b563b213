"""Two processes writing at once lose nothing, duplicate nothing and fork no hash chain."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from storage.database import Database
from storage.plans import current_tasks
from storage.progress import count_entries, entries_for
from storage.verify import verify_ledger

ROOT = Path(__file__).resolve().parents[2]
DUBAN = str(Path(sys.executable).with_name("duban"))
COUNT = 25


def _run_together(commands: list[list[str]]) -> list[subprocess.CompletedProcess[str]]:
    started = [
        subprocess.Popen(c, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for c in commands
    ]
    results = []
    for process, command in zip(started, commands, strict=True):
        out, err = process.communicate(timeout=120)
        results.append(subprocess.CompletedProcess(command, process.returncode, out, err))
    return results


async def test_two_writer_processes_lose_nothing(ledger: Database) -> None:
    writers = [
        [
            sys.executable,
            "-m",
            "tests.storage.writer",
            ledger.engine.url.render_as_string(False),
            name,
            str(COUNT),
        ]
        for name in ("alpha", "beta")
    ]
    for result in _run_together(writers):
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "ok"
    async with ledger.session(readonly=True) as session:
        entries = await entries_for(session, "7.2", "社区科")
        verified = await verify_ledger(session)
    # Both writers appended to one (task, unit) chain: it must not fork.
    assert verified.ok, [str(b) for b in verified.breaks]
    assert (verified.entries, verified.chains) == (len(entries), 1)
    # Each writer's own updates and plain entries, plus the shared updates once.
    assert len(entries) == 2 * COUNT + 2 * COUNT + COUNT
    shared_keys = {f"telegram:{n}" for n in range(500_000, 500_000 + COUNT)}
    shared = [e for e in entries if e.source_key in shared_keys]
    assert len(shared) == COUNT
    for name in ("alpha", "beta"):
        mine = [e for e in entries if e.reporter == name and e not in shared]
        assert sorted(e.note or "" for e in mine if e.source_key is None) == sorted(
            f"{name} {i}" for i in range(COUNT)
        )
        assert len([e for e in mine if e.source_key is not None]) == COUNT


async def test_two_first_commands_at_once_migrate_and_import_once(database_url: str) -> None:
    reports = [
        [
            DUBAN,
            "--db",
            database_url,
            "--clock",
            "2022-06-20T09:00",
            "report",
            "7.2",
            "--unit",
            unit,
            "--status",
            "done",
        ]
        for unit in ("社区科", "婚姻科")
    ]
    for result in _run_together(reports):
        assert result.returncode == 0, result.stderr
    db = await Database.connect(database_url)
    try:
        async with db.session(readonly=True) as session:
            assert await count_entries(session) == 2
            assert len(await current_tasks(session)) == 29
    finally:
        await db.close()
