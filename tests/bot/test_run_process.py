"""`duban run` as a process: it answers over HTTP, and SIGTERM ends it cleanly within seconds."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
import time
from pathlib import Path

import aiohttp
import pytest

from emulator.server import Emulator

DUBAN = Path(sys.executable).with_name("duban")


def _service_env(emu: Emulator, tmp_path: Path) -> dict[str, str]:
    """Return the environment for `duban run` against the emulator, on a fresh SQLite ledger."""
    return {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": emu.token,
        "TELEGRAM_API_BASE_URL": emu.base_url,
        "DUBAN_DATABASE_URL": f"sqlite:///{tmp_path / 'duban.db'}",
        "DUBAN_HTTP_PORT": "0",
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
    }


@pytest.mark.slow
async def test_duban_run_answers_serves_the_board_and_stops_on_sigterm(
    tmp_path: Path, unused_port: int
) -> None:
    async with Emulator.running() as emu:
        env = {**_service_env(emu, tmp_path), "DUBAN_HTTP_PORT": str(unused_port)}
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
            # The same process serves the web board: a wrong login link gets the plain page.
            board = f"http://127.0.0.1:{unused_port}/login?t=wrong"
            async with aiohttp.ClientSession() as http, http.get(board) as page:
                assert page.status == 403
                assert "链接无效或已过期" in await page.text()
            started = time.monotonic()
            stderr = await _stop(process)
            elapsed = time.monotonic() - started
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
    assert process.returncode == 0, stderr
    assert elapsed < 5, f"took {elapsed:.1f}s to stop"
    assert "Traceback" not in stderr, stderr


@pytest.mark.slow
async def test_duban_run_takes_updates_on_a_webhook(tmp_path: Path, unused_port: int) -> None:
    async with Emulator.running() as emu:
        env = _service_env(emu, tmp_path)
        process = await asyncio.create_subprocess_exec(
            str(DUBAN),
            "run",
            "--webhook",
            "https://duban.example.org",
            "--port",
            str(unused_port),
            env=env,
            cwd=tmp_path,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            hook = await emu.wait_for_call("setWebhook", timeout=60)
            assert hook.params["url"] == "https://duban.example.org/telegram"
            secret = hook.params["secret_token"]
            await emu.wait_for_call("setMyCommands", timeout=60)
            stranger = emu.add_user("路人")
            chat = emu.add_private_chat(stranger)
            message = emu.send(chat.id, stranger, "/start")
            url = f"http://127.0.0.1:{unused_port}/telegram"
            update = {"update_id": 1, "message": message}
            async with aiohttp.ClientSession() as http:
                # setWebhook is called just before the server listens: wait for the port.
                await _listening(unused_port)
                async with http.post(url, json=update) as refused:
                    assert refused.status == 403
                wrong = {"X-Telegram-Bot-Api-Secret-Token": secret[:-1] + "x"}
                async with http.post(url, json=update, headers=wrong) as forged:
                    assert forged.status == 403
                headers = {"X-Telegram-Bot-Api-Secret-Token": secret}
                async with http.post(url, json=update, headers=headers) as accepted:
                    assert accepted.status == 200
            reply = await emu.wait_for_bot_message(chat.id, timeout=30)
            assert "/bind" in reply["text"]
            stderr = await _stop(process)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
    assert process.returncode == 0, stderr


@pytest.fixture
def unused_port() -> int:
    """Return a loopback port that is free right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def _listening(port: int) -> None:
    """Return once something accepts connections on the loopback port (10 s at most)."""
    async with asyncio.timeout(10):
        while True:
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                await asyncio.sleep(0.05)
                continue
            writer.close()
            await writer.wait_closed()
            return


@pytest.mark.slow
async def test_a_drill_clock_drives_the_timers(tmp_path: Path) -> None:
    """`--clock 08:59:50`: the 09:00 prompt goes when the drill clock reads 09:00, not at
    09:00 real time and not a minute late."""
    async with Emulator.running() as emu:
        env = _service_env(emu, tmp_path)
        invite = await asyncio.create_subprocess_exec(
            str(DUBAN), "--clock", "2022-06-23T08:00", "invite", "社救科",
            env=env, cwd=tmp_path, stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, _ = await invite.communicate()
        code = out.decode().strip().splitlines()[-1]
        process = await asyncio.create_subprocess_exec(
            str(DUBAN), "run", "--clock", "2022-06-23T08:59:50",
            env=env, cwd=tmp_path,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        started = time.monotonic()
        try:
            await emu.wait_for_call("setMyCommands", timeout=60)
            group = emu.add_group("社救科工作群")
            person = emu.add_user("王科长")
            emu.send(group.id, person, f"/bind {code}")
            await emu.wait_for_bot_message(group.id, lambda m: "已绑定" in m["text"], timeout=30)
            prompt = await emu.wait_for_bot_message(
                group.id, lambda m: "【督办提醒】" in m["text"], timeout=60
            )
            took = time.monotonic() - started
        finally:
            process.send_signal(signal.SIGTERM)
            async with asyncio.timeout(10):
                await process.communicate()
    assert "6月23日（周四）" in prompt["text"]
    # 10 s of drill time to 09:00, plus start-up; a real-time trigger would take hours.
    assert took < 40, f"the 09:00 prompt came {took:.0f}s after start"


async def _spawn(env: dict[str, str], cwd: Path, *args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        str(DUBAN), "run", *args, env=env, cwd=cwd,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


async def _read_until(process: asyncio.subprocess.Process, needle: str) -> str:
    """Return the process's stderr up to and including the first line holding `needle`."""
    assert process.stderr is not None
    seen = ""
    async with asyncio.timeout(60):
        while needle not in seen:
            line = await process.stderr.readline()
            assert line, f"duban run ended before it logged {needle!r}: {seen}"
            seen += line.decode()
    return seen


async def _stop(process: asyncio.subprocess.Process) -> str:
    """SIGTERM the process; return its stderr (it must stop within 10 s)."""
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
    try:
        async with asyncio.timeout(10):
            _, stderr = await process.communicate()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    return stderr.decode()


@pytest.mark.slow
async def test_a_rejected_token_is_one_line_that_never_shows_it(tmp_path: Path) -> None:
    async with Emulator.running() as emu:
        env = _service_env(emu, tmp_path)
        env["TELEGRAM_BOT_TOKEN"] = "987654321:not-the-emulators-token-AAAA"  # noqa: S105
        process = await _spawn(env, tmp_path)
        async with asyncio.timeout(60):
            _, stderr = await process.communicate()
    err = stderr.decode()
    assert process.returncode == 1, err
    assert "not-the-emulators-token" not in err
    assert "Traceback" not in err
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert errors == [
        "error: Telegram refused the bot token (TELEGRAM_BOT_TOKEN): check it with @BotFather"
    ]
    assert len(err.splitlines()) <= 2, err  # the "serving" line, then the error


@pytest.mark.slow
async def test_an_unreachable_api_is_waited_for_not_a_crash(
    tmp_path: Path, unused_port: int
) -> None:
    env = {
        **_service_env(Emulator(), tmp_path),
        "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{unused_port}/bot",
    }
    process = await _spawn(env, tmp_path, "--log-format", "json")
    seen = ""
    try:
        seen = await _read_until(process, "the Telegram API unreachable")
        assert process.returncode is None, "duban run gave up while the API was away"
        async with Emulator.running(port=unused_port) as emu:
            await emu.wait_for_call("setMyCommands", timeout=60)
            stranger = emu.add_user("路人")
            chat = emu.add_private_chat(stranger)
            emu.send(chat.id, stranger, "/start")
            reply = await emu.wait_for_bot_message(chat.id, timeout=30)
            assert "/bind" in reply["text"]
            err = seen + await _stop(process)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0, err
    lines = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    noted = [e for e in lines if e["level"] != "INFO"]
    assert [e["level"] for e in noted] == ["WARNING"], noted
    assert noted[0]["message"].startswith("the Telegram API unreachable: "), noted
    assert any(e["message"].startswith("the Telegram API reachable again") for e in lines)
    assert "Traceback" not in err


@pytest.mark.slow
async def test_stopping_while_the_api_is_away_is_prompt(tmp_path: Path, unused_port: int) -> None:
    env = {
        **_service_env(Emulator(), tmp_path),
        "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{unused_port}/bot",
    }
    process = await _spawn(env, tmp_path)
    # Stop it once it is up and retrying the API (start-up itself may take a few seconds).
    seen = await _read_until(process, "unreachable")
    started = time.monotonic()
    err = seen + await _stop(process)
    assert process.returncode == 0, err
    assert time.monotonic() - started < 5
    assert "Traceback" not in err


@pytest.mark.slow
async def test_idle_service_logs_almost_nothing_and_json_is_one_object_a_line(
    tmp_path: Path,
) -> None:
    async with Emulator.running() as emu:
        env = _service_env(emu, tmp_path)
        # A Saturday: nothing is due; the service only looks, every second.
        process = await _spawn(env, tmp_path, "--clock", "2022-06-25T10:00", "--log-format",
                               "json")  # fmt: skip
        try:
            await emu.wait_for_call("setMyCommands", timeout=60)
            # The start-up pass (the same reconcile the minute tick runs), then drains every
            # second and long polls: none of it may log.
            await asyncio.sleep(20)
        finally:
            err = await _stop(process)
    lines = [line for line in err.splitlines() if line.strip()]
    records = [json.loads(line) for line in lines if not line.startswith("duban: serving")]
    assert {r["level"] for r in records} <= {"INFO"}, records
    assert len(records) <= 3, [r["message"] for r in records]
