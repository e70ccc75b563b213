"""`duban run` as a process: it answers over HTTP, and SIGTERM ends it cleanly within seconds."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from pathlib import Path

import pytest

from emulator.server import Emulator

DUBAN = Path(sys.executable).with_name("duban")


@pytest.mark.slow
async def test_duban_run_answers_and_stops_on_sigterm(tmp_path: Path) -> None:
    async with Emulator.running() as emu:
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": emu.token,
            "TELEGRAM_API_BASE_URL": emu.base_url,
            "DUBAN_DATABASE_URL": f"sqlite:///{tmp_path / 'duban.db'}",
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
        }
        process = await asyncio.create_subprocess_exec(
            str(DUBAN),
            "run",
            "--clock",
            "2022-06-23T08:59:00",
            env=env,
            cwd=tmp_path,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            await emu.wait_for_call("setMyCommands", timeout=60)
            stranger = emu.add_user("路人")
            chat = emu.add_private_chat(stranger)
            emu.send(chat.id, stranger, "/start")
            reply = await emu.wait_for_bot_message(chat.id, timeout=30)
            assert "/bind" in reply["text"]
            started = time.monotonic()
            process.send_signal(signal.SIGTERM)
            async with asyncio.timeout(10):
                _, stderr = await process.communicate()
            elapsed = time.monotonic() - started
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
    assert process.returncode == 0, stderr.decode()
    assert elapsed < 5, f"took {elapsed:.1f}s to stop"
    assert b"Traceback" not in stderr
