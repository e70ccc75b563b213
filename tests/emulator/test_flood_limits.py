"""Telegram's flood limits in the emulator: off by default, 429 the moment one is crossed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from telegram import Bot
from telegram.error import Forbidden, RetryAfter

from emulator import Emulator
from emulator.flood import TELEGRAM_LIMITS, busiest


class Stopwatch:
    """A flood clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def watch() -> Stopwatch:
    """The flood clock."""
    return Stopwatch()


@pytest.fixture
async def strict(watch: Stopwatch) -> AsyncIterator[tuple[Emulator, Bot]]:
    """An emulator enforcing Telegram's limits, and a client for it."""
    async with Emulator.running(flood_limits=TELEGRAM_LIMITS, flood_clock=watch) as emu:
        client = Bot(emu.token, base_url=emu.base_url, base_file_url=emu.base_file_url)
        async with client:
            yield emu, client


async def test_limits_are_off_by_default(emu: Emulator, bot: Bot) -> None:
    group = emu.add_group("社区科")
    for n in range(40):
        await bot.send_message(group.id, f"第{n}条")
    assert len(emu.bot_messages(group.id)) == 40


async def test_a_group_takes_twenty_a_minute(
    strict: tuple[Emulator, Bot], watch: Stopwatch
) -> None:
    emu, bot = strict
    group = emu.add_group("社区科")
    for n in range(20):
        await bot.send_message(group.id, f"第{n}条")
        watch.now += 1.0
    with pytest.raises(RetryAfter) as refused:
        await bot.send_message(group.id, "第21条")
    # The first send (at 1000.0) leaves the minute's window at 1060.0; it is now 1020.0.
    assert refused.value.retry_after == timedelta(seconds=40)
    assert len(emu.bot_messages(group.id)) == 20
    assert emu.calls[-1].error_code == 429
    watch.now = 1060.0
    await bot.send_message(group.id, "第21条")
    assert len(emu.bot_messages(group.id)) == 21


async def test_a_private_chat_takes_one_a_second(
    strict: tuple[Emulator, Bot], watch: Stopwatch
) -> None:
    emu, bot = strict
    user = emu.add_user("王科长")
    chat = emu.add_private_chat(user)
    emu.send(chat.id, user, "/start")
    await bot.send_message(chat.id, "一")
    watch.now += 0.5
    with pytest.raises(RetryAfter) as refused:
        await bot.send_message(chat.id, "二")
    assert refused.value.retry_after == timedelta(seconds=1)
    watch.now += 0.5
    await bot.send_message(chat.id, "二")


async def test_thirty_a_second_overall_whatever_the_chats(
    strict: tuple[Emulator, Bot], watch: Stopwatch
) -> None:
    emu, bot = strict
    groups = [emu.add_group(f"第{n}组").id for n in range(31)]
    for chat_id in groups[:30]:
        await bot.send_message(chat_id, "提醒")
    with pytest.raises(RetryAfter):
        await bot.send_message(groups[30], "提醒")
    watch.now += 1.0
    await bot.send_message(groups[30], "提醒")
    refused = [c for c in emu.calls_of("sendMessage") if c.error_code == 429]
    assert len(refused) == 1


async def test_refused_sends_and_failed_ones_do_not_count(
    strict: tuple[Emulator, Bot], watch: Stopwatch
) -> None:
    emu, bot = strict
    group = emu.add_group("社区科")
    emu.remove_bot(group.id)
    for _ in range(25):
        with pytest.raises(Forbidden, match="kicked"):
            await bot.send_message(group.id, "提醒")
    emu.restore_bot(group.id)
    for n in range(20):
        await bot.send_message(group.id, f"第{n}条")


def test_the_busiest_window_counts_as_the_limits_do() -> None:
    # A window is (t - seconds, t]: a send exactly one window before another is not in it.
    assert busiest([0.0, 0.5, 1.0, 1.5], 1.0) == 2
    assert busiest([0.0, 0.2, 0.4, 3.0], 1.0) == 3
    assert busiest([], 60.0) == 0
