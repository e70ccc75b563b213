"""A running bot on a fresh SQLite ledger, talking to a fresh emulator over loopback HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from emulator.server import Emulator
from scheduler.clock import FrozenClock
from tests.bot.harness import START, Harness


@asynccontextmanager
async def started(url: str) -> AsyncIterator[Harness]:
    """Yield a started bot on the ledger at `url`, its clock frozen at 2022-06-23 08:59."""
    async with Emulator.running() as emu:
        rig = Harness(emu, url, FrozenClock(START))
        await rig.start()
        try:
            yield rig
        finally:
            await rig.stop()


@pytest.fixture(autouse=True)
def _loopback_without_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    # The bot's transport would route loopback traffic through a configured proxy.
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


@pytest.fixture
async def harness(sqlite_url: str) -> AsyncIterator[Harness]:
    """Yield a started bot on a fresh SQLite ledger."""
    async with started(sqlite_url) as rig:
        yield rig


@pytest.fixture
async def any_harness(database_url: str) -> AsyncIterator[Harness]:
    """Yield a started bot on SQLite, then (second run) on a throwaway PostgreSQL database."""
    async with started(database_url) as rig:
        yield rig
