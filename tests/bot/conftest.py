"""A running bot on a fresh SQLite ledger, talking to a fresh emulator over loopback HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from emulator.server import Emulator
from scheduler.clock import FrozenClock
from tests.bot.harness import START, Harness


@pytest.fixture
async def harness(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Harness]:
    """Yield a started bot with the clock frozen at 2022-06-23 08:59 (Shanghai)."""
    # httpx would route loopback traffic through a configured proxy.
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    async with Emulator.running() as emu:
        rig = Harness(emu, sqlite_url, FrozenClock(START))
        await rig.start()
        try:
            yield rig
        finally:
            await rig.stop()
