"""Every dialogue table, played over every channel the project ships (Telegram today)."""

from __future__ import annotations

import pytest

from tests.bot.harness import Harness
from tests.dialogue.script import Dialogue, play
from tests.dialogue.tables import TABLES
from tests.dialogue.telegram_driver import TelegramDriver


@pytest.mark.parametrize("dialogue", TABLES, ids=[t.name for t in TABLES])
async def test_telegram(harness: Harness, dialogue: Dialogue) -> None:
    await play(TelegramDriver(harness), dialogue)
