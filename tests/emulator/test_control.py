"""The control side: another process drives users over HTTP; faults that lose answers."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from typing import Any

import aiohttp
import pytest
from telegram import Bot
from telegram.error import BadRequest, NetworkError

from emulator import Emulator
from emulator.model import Chat, User


async def test_dropped_answer_after_the_call_took_effect(
    emu: Emulator, bot: Bot, people: tuple[User, Chat]
) -> None:
    emu.fail("sendMessage", times=1, kind="drop_after")
    with pytest.raises(NetworkError):
        await bot.send_message(people[1].id, "提醒")
    assert [m["text"] for m in emu.bot_messages(people[1].id)] == ["提醒"]


async def test_bot_deletes_its_own_message_only_once(bot: Bot, people: tuple[User, Chat]) -> None:
    sent = await bot.send_message(people[1].id, "提醒")
    assert await bot.delete_message(people[1].id, sent.message_id)
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(people[1].id, sent.message_id)


async def test_events_endpoint_hands_a_watcher_the_bot_messages(
    emu: Emulator, bot: Bot, people: tuple[User, Chat]
) -> None:
    async def watch() -> list[dict[str, Any]]:
        async with (
            aiohttp.ClientSession() as session,
            session.get(
                f"{emu.control_url}/events", params={"after": "0", "timeout": "20"}
            ) as got,
        ):
            return list((await got.json())["result"])

    async def speak() -> None:
        await bot.send_message(people[1].id, "第1项：完成摸底")

    events, _ = await asyncio.gather(watch(), speak())
    assert events[0]["kind"] == "sent"
    assert events[0]["message"]["text"] == "第1项：完成摸底"


async def test_control_refuses_unknown_chat_with_a_reason(emu: Emulator) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{emu.control_url}/send", json={"chat_id": 5, "user_id": 1, "text": "hi"}
        ) as response,
    ):
        assert response.status == 400
        assert "no chat 5" in (await response.json())["description"]


async def test_module_entry_point_serves_and_prints_its_urls() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "emulator", "--port", "0", stdout=asyncio.subprocess.PIPE
    )
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), 20)).decode()
        assert line.startswith("base_url=http://127.0.0.1:")
        base_url = line.strip().split("=", 1)[1]
        token = ""
        while not token:
            text = (await process.stdout.readline()).decode().strip()
            token = text.split("=", 1)[1] if text.startswith("token=") else ""
        async with Bot(token, base_url=base_url) as client:
            assert client.username == "duban_test_bot"
    finally:
        process.terminate()
        await process.wait()


@pytest.mark.parametrize("host", ["0.0.0.0", "nohost"])  # noqa: S104 - it must be refused
def test_the_emulator_process_refuses_a_host_off_loopback_in_one_line(host: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "emulator", "--host", host],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.startswith("error: ")
    assert done.stderr.count("\n") == 1
