"""Long polling answers at once when a user acts, and never holds up shutdown."""

from __future__ import annotations

import asyncio
import time

import pytest
from telegram import Bot
from telegram.error import Conflict

from emulator import Emulator
from emulator.model import Chat, User


async def _poll_started(emu: Emulator, count: int = 1) -> None:
    """Wait until the emulator holds `count` getUpdates long polls (no sleeping)."""
    await emu.state.wait_for(lambda: True if emu.state.poll_generation >= count else None, 5)


async def test_long_poll_returns_as_soon_as_a_user_writes(
    emu: Emulator, bot: Bot, people: tuple[User, Chat]
) -> None:
    head, group = people
    started = time.monotonic()
    async with asyncio.TaskGroup() as group_of_tasks:
        poll = group_of_tasks.create_task(bot.get_updates(timeout=30))
        await _poll_started(emu)
        emu.send(group.id, head, "/status")
    (update,) = poll.result()
    assert update.message is not None
    assert update.message.text == "/status"
    assert time.monotonic() - started < 5


async def test_a_newer_poll_ends_the_older_with_conflict(emu: Emulator, bot: Bot) -> None:
    async def newer_poll() -> tuple[object, ...]:
        await _poll_started(emu, 1)
        async with Bot(emu.token, base_url=emu.base_url) as second_instance:
            return await second_instance.get_updates(timeout=0)

    older, newer = await asyncio.gather(
        bot.get_updates(timeout=30), newer_poll(), return_exceptions=True
    )
    assert newer == ()
    assert isinstance(older, Conflict)


async def test_shutdown_with_an_open_long_poll_is_quick() -> None:
    serving = Emulator.running()
    emu = await serving.__aenter__()
    client = Bot(emu.token, base_url=emu.base_url)
    await client.initialize()

    async def stop_while_polling() -> float:
        await _poll_started(emu)
        started = time.monotonic()
        await serving.__aexit__(None, None, None)
        return time.monotonic() - started

    result, elapsed = await asyncio.gather(client.get_updates(timeout=50), stop_while_polling())
    await client.shutdown()
    assert result == ()
    assert elapsed < 5


async def test_emulator_refuses_to_listen_beyond_loopback() -> None:
    with pytest.raises(ValueError, match="loopback only"):
        async with Emulator.running(host="0.0.0.0"):  # noqa: S104 - the address being refused
            pass
