"""Delivery at Telegram's pace: the real outbox sender, the real Telegram channel and PTB, over
HTTP to the emulator enforcing Telegram's limits (429 the moment one is crossed), on virtual
time (the event loop's clock paces the sends and measures the emulator's windows alike).

A burst-and-back-off limiter gets 429s here; the paced one gets none, loses and duplicates
nothing, keeps each chat's order, and keeps the line busy (≥ 95 % of 30 a second).
"""

from __future__ import annotations

import asyncio
import itertools
import os
from collections import Counter, defaultdict
from dataclasses import dataclass

from telegram.error import RetryAfter
from telegram.ext import ExtBot

from bot.telegram.app import TelegramConfig, rate_limiter
from bot.telegram.channel import TelegramChannel
from core.sender import OutboxSender
from emulator.flood import TELEGRAM_LIMITS, busiest
from emulator.server import Emulator
from plan_data import default_plan_path
from scheduler.clock import FrozenClock
from storage import outbox
from storage.bootstrap import open_ledger
from storage.chats import chat_key
from storage.records import OutboxDraft
from tests.conftest import LEDGER_NOW
from tests.core.virtual_time import run_virtually
from vocabulary import DEFAULT_TZ as SHANGHAI

# Real seconds real I/O (the ledger's thread, loopback HTTP) gets before the clock jumps.
GRACE = 0.002


@dataclass
class Delivery:
    """What the emulator saw, on the loop's clock."""

    sent: list[tuple[float, int]]  # (time, chat) of every accepted send, in order
    refused: int  # 429s answered
    texts: dict[int, list[str]]  # each group's bot messages, oldest first
    expected: dict[int, list[str]]  # what each group should have got, in order
    handled: int  # rows the drain handled
    unsent: int  # rows still not sent after it

    def max_in_window(self, seconds: float, chat: int | None = None) -> int:
        """Return the most sends (to `chat`, or overall) in any window of `seconds`."""
        return busiest([t for t, c in self.sent if chat is None or c == chat], seconds)

    def rate(self) -> float:
        """Return sends a second from the first to the last (the pace kept)."""
        times = [t for t, _ in self.sent]
        return (len(times) - 1) / (times[-1] - times[0])


async def deliver(
    database_url: str, groups: int, per_group: int, batch: int | None = None
) -> Delivery:
    """Queue `per_group` prompts to each of `groups` groups (one group's after another, the
    hardest order for a batch) and drain the outbox once through Telegram."""
    os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
    loop = asyncio.get_running_loop()
    db = await open_ledger(database_url, default_plan_path(), LEDGER_NOW)
    try:
        async with Emulator.running(flood_limits=TELEGRAM_LIMITS, flood_clock=loop.time) as emu:
            chat_ids = [emu.add_group(f"第{g}组").id for g in range(groups)]
            expected = {c: [f"第{g}组 第{n}条提醒" for n in range(per_group)]
                        for g, c in enumerate(chat_ids)}  # fmt: skip
            async with db.session() as session:
                drafts = []
                for chat_id, texts in expected.items():
                    key = await chat_key(session, "telegram", str(chat_id), LEDGER_NOW)
                    for text in texts:
                        payload = {"text": text, "items": [], "buttons": None}
                        drafts.append(
                            OutboxDraft(text, key, "社救科", "notice", payload, LEDGER_NOW)
                        )
                await outbox.enqueue_many(session, drafts, LEDGER_NOW)
            config = TelegramConfig(emu.token, api_base_url=emu.base_url)
            bot = ExtBot(emu.token, base_url=emu.base_url, rate_limiter=rate_limiter(config))
            async with bot:
                channel = TelegramChannel(bot)
                clock = FrozenClock(LEDGER_NOW)
                options = {} if batch is None else {"batch": batch}
                sender = OutboxSender({"telegram": channel}, db, clock, SHANGHAI, **options)
                handled = await sender.drain()
            unsent = 0
            async with db.session() as session:
                for key in (t for texts in expected.values() for t in texts):
                    row = await outbox.by_dedupe_key(session, key)
                    unsent += row is None or row.sent_at is None
            flood = emu.state.flood
            assert flood is not None
            texts = {c: [m["text"] for m in emu.bot_messages(c)] for c in chat_ids}
            return Delivery(list(flood.sent), flood.refused, texts, expected, handled, unsent)
    finally:
        await db.close()


def _run(database_url: str, groups: int, per_group: int, batch: int | None = None) -> Delivery:
    return run_virtually(lambda: deliver(database_url, groups, per_group, batch), grace=GRACE)


def test_1000_prompts_to_200_groups_arrive_once_in_order_at_30_a_second(
    database_url: str,
) -> None:
    got = _run(database_url, groups=200, per_group=5)
    print(
        f"1000 prompts to 200 groups: {got.refused} × 429, at most"
        f" {got.max_in_window(1.0)} sends in a second, {got.rate():.2f}/s"
        f" ({got.rate() / 30:.1%} of 30/s)"
    )
    assert got.refused == 0
    assert got.handled == 1000
    assert got.unsent == 0  # none lost
    assert len(got.sent) == 1000  # none duplicated
    assert got.texts == got.expected  # each group's, in order
    assert got.max_in_window(1.0) <= 30
    assert got.rate() >= 0.95 * 30


def test_300_prompts_to_7_groups_stay_within_20_a_minute_each(sqlite_url: str) -> None:
    got = _run(sqlite_url, groups=7, per_group=43)  # 301
    assert got.refused == 0
    assert got.unsent == 0
    assert got.texts == got.expected
    per_chat = Counter(c for _, c in got.sent)
    assert set(per_chat.values()) == {43}
    assert max(got.max_in_window(60.0, c) for c in per_chat) <= 20
    # Seven groups at one message every 3 s each: about 2.3 a second, every group busy.
    spacing: defaultdict[int, list[float]] = defaultdict(list)
    for at, chat in got.sent:
        spacing[chat].append(at)
    assert all(max(b - a for a, b in itertools.pairwise(t)) < 3.5 for t in spacing.values())


def test_rows_claimed_while_others_are_under_way_keep_each_chat_in_order(
    sqlite_url: str,
) -> None:
    """Claims of 60 rows, more claimed when half are settled: a chat under way gets its
    next rows after its current ones, and nothing is sent twice or skipped."""
    got = _run(sqlite_url, groups=40, per_group=6, batch=60)
    assert got.refused == 0
    assert got.handled == 240
    assert got.unsent == 0
    assert len(got.sent) == 240
    assert got.texts == got.expected


async def _after_a_429(retries: int, refusals: int) -> tuple[list[float], int, str | None]:
    """Send three messages to a group whose first send is refused `refusals` times with
    retry_after 5; return when each arrived, the 429s, and the error the caller saw."""
    os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
    os.environ.setdefault("PTB_TIMEDELTA", "1")  # as the application sets it
    loop = asyncio.get_running_loop()
    async with Emulator.running(flood_limits=TELEGRAM_LIMITS, flood_clock=loop.time) as emu:
        group = emu.add_group("社区科").id
        emu.fail("sendMessage", times=refusals, retry_after=5)
        config = TelegramConfig(emu.token, api_base_url=emu.base_url, retries_after_429=retries)
        bot = ExtBot(emu.token, base_url=emu.base_url, rate_limiter=rate_limiter(config))
        error: str | None = None
        async with bot:
            try:
                await bot.send_message(group, "一")
            except RetryAfter as exc:
                error = type(exc).__name__
            await bot.send_message(group, "二")
            await bot.send_message(group, "三")
        flood = emu.state.flood
        assert flood is not None
        refused = sum(1 for c in emu.calls_of("sendMessage") if c.error_code == 429)
        return [t for t, _ in flood.sent], refused, error


def test_a_429_anyway_holds_the_chat_for_its_retry_after_and_tries_again() -> None:
    sent, refused, error = run_virtually(lambda: _after_a_429(3, 1), grace=GRACE)
    assert (refused, error) == (1, None)
    # 一 went once the 5 s had passed; the group's next ones kept their 3 s spacing after it.
    assert sent[0] >= 5.0
    assert all(3.03 <= b - a < 3.1 for a, b in itertools.pairwise(sent))


def test_429s_past_the_retries_reach_the_caller_and_the_hold_still_stands() -> None:
    sent, refused, error = run_virtually(lambda: _after_a_429(1, 2), grace=GRACE)
    assert (refused, error) == (2, "RetryAfter")
    assert len(sent) == 2
    assert sent[0] >= 10.0  # 二 waited out both holds
