"""A lean process: `duban --help`, `duban plan show` and an idle `duban run` load only what
they use; the chart, the workbooks, the documents, Alembic and the English date reader come
in with the command that needs them."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from emulator.server import Emulator

DUBAN = Path(sys.executable).with_name("duban")
ROOT = Path(__file__).resolve().parent.parent
# What no idle process needs: each is a tenth of a second or more, and megabytes, to import.
HEAVY = {
    "matplotlib", "numpy", "PIL", "openpyxl", "docx", "docxtpl", "lxml", "alembic", "mako",
    "dateparser", "jinja2",
}  # fmt: skip
# Run a `duban` command in this interpreter and print the top-level modules it loaded.
LOADED_AFTER = """
import json, sys
from cli.main import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""
# `duban run` that, on SIGUSR1, prints the modules it has loaded as one line of JSON.
RUN_DUMPING = """
import json, signal, sys
from cli.main import main

def dump(*_):
    print(json.dumps(sorted(sys.modules)), flush=True)

signal.signal(signal.SIGUSR1, dump)
sys.exit(main(["run"]))
"""


def _loaded(*args: str, env: dict[str, str] | None = None) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", LOADED_AFTER, *args],
        capture_output=True, text=True, check=True, cwd=ROOT, env=env,
    )  # fmt: skip
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


def _top(modules: set[str]) -> set[str]:
    return {name.split(".")[0] for name in modules}


def test_duban_help_loads_no_library_of_any_command() -> None:
    loaded = _top(_loaded("--help")) | _top(_loaded("simulate", "--help"))
    assert not loaded & (
        HEAVY | {"sqlalchemy", "pydantic", "telegram", "aiohttp", "asyncpg", "asyncio"}
    )


def test_plan_show_reads_the_plan_without_the_ledger_or_the_date_reader() -> None:
    loaded = _top(_loaded("plan", "show"))
    assert not loaded & (HEAVY | {"sqlalchemy", "telegram", "aiohttp", "chinese_calendar"})


@pytest.mark.slow
async def test_an_idle_duban_run_has_loaded_none_of_the_heavy_libraries(tmp_path: Path) -> None:
    ledger = f"sqlite:///{tmp_path / 'duban.db'}"
    env = {
        **os.environ,
        "DUBAN_DATABASE_URL": ledger,
        "DUBAN_HTTP_PORT": "0",
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
    }
    # Yesterday's ledger: made and migrated by an earlier command, so today's start finds it
    # at the newest revision and never needs Alembic.
    made = await asyncio.create_subprocess_exec(
        str(DUBAN), "plan", "import", env=env, cwd=tmp_path, stdout=asyncio.subprocess.DEVNULL
    )
    assert await made.wait() == 0
    async with Emulator.running() as emu:
        env |= {"TELEGRAM_BOT_TOKEN": emu.token, "TELEGRAM_API_BASE_URL": emu.base_url}
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-c", RUN_DUMPING, env=env, cwd=ROOT,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        try:
            await emu.wait_for_call("setMyCommands", timeout=60)
            stranger = emu.add_user("路人")
            chat = emu.add_private_chat(stranger)
            emu.send(chat.id, stranger, "/start")
            reply = await emu.wait_for_bot_message(chat.id, timeout=30)
            assert "/bind" in reply["text"]
            process.send_signal(signal.SIGUSR1)
            assert process.stdout is not None
            async with asyncio.timeout(30):
                line = await process.stdout.readline()
            process.send_signal(signal.SIGTERM)
            async with asyncio.timeout(30):
                _, stderr = await process.communicate()
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
    assert process.returncode == 0, stderr.decode()
    loaded = set(json.loads(line))
    assert {"telegram", "sqlalchemy", "apscheduler"} <= _top(loaded)  # it did start
    assert not _top(loaded) & HEAVY
    assert "sqlalchemy.dialects.postgresql" not in loaded  # a SQLite ledger
