"""Every dialogue table, played over every channel the project ships: Telegram and WeCom."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from emulator.wecom import WeComEmulator
from scheduler.clock import FrozenClock
from tests.bot.harness import START, Harness
from tests.dialogue.script import Dialogue, play
from tests.dialogue.tables import TABLES
from tests.dialogue.telegram_driver import TelegramDriver
from tests.dialogue.wecom_driver import WeComDriver, WeComHarness


def _for(channel: str) -> list[Dialogue]:
    return [t for t in TABLES if t.runs_on(channel)]


@pytest.fixture
async def wecom_harness(sqlite_url: str) -> AsyncIterator[WeComHarness]:
    """Yield the service on WeCom alone, against the stand-in, on a fresh SQLite ledger."""
    async with WeComEmulator.running() as wecom:
        rig = WeComHarness(wecom, sqlite_url, FrozenClock(START))
        await rig.start()
        try:
            yield rig
        finally:
            await rig.stop()


@pytest.mark.parametrize("dialogue", _for("telegram"), ids=lambda t: t.name)
async def test_telegram(harness: Harness, dialogue: Dialogue) -> None:
    await play(TelegramDriver(harness), dialogue)


@pytest.mark.parametrize("dialogue", _for("wecom"), ids=lambda t: t.name)
async def test_wecom(wecom_harness: WeComHarness, dialogue: Dialogue) -> None:
    await play(WeComDriver(wecom_harness), dialogue)
