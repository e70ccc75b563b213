"""No chat waits for another: /status is answered in under a second while another chat's
27-prompt batch goes out at 2 s a message, and while another chat's own answer is slow.

A group's own pace still holds (one message every 3 s, Telegram's 20 a minute, smoothed):
"in under a second" counts from the later of the question and the group's next turn."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from emulator.server import Emulator
from scheduler.clock import FrozenClock
from service.runner import RunConfig
from storage import outbox
from storage.records import OutboxDraft
from tests.bot.harness import START, Chat, Harness, text_of


class RealLimits(Harness):
    """The service with Telegram's flood limits as `duban run` has them."""

    def config(self) -> RunConfig:
        """Return the harness's configuration with the default rate limits."""
        config = super().config()
        assert config.telegram is not None
        return replace(config, telegram=replace(config.telegram, group_max_rate=20))


@pytest.fixture
async def rig(sqlite_url: str) -> AsyncIterator[RealLimits]:
    """Yield the service with real flood limits, on a fresh ledger."""
    async with Emulator.running() as emu:
        harness = RealLimits(emu, sqlite_url, FrozenClock(START))
        await harness.start()
        try:
            yield harness
        finally:
            await harness.stop()


# A group's spacing at 20 messages a minute (the pacer pads it by a millisecond).
GROUP_TURN = 3.0


class Turns:
    """When each group may next be sent to, as this test saw its last message arrive."""

    def __init__(self) -> None:
        self.next: dict[int, float] = {}

    def arrived(self, chat: Chat) -> None:
        """Note that the bot's message to `chat` just arrived."""
        self.next[chat.id] = time.monotonic() + GROUP_TURN


async def _status_took(harness: Harness, chat: Chat, turns: Turns) -> float:
    """Ask /status; return how long the answer took beyond the group's own next turn."""
    sent = harness.emu.send(chat.id, chat.user, "/status 2.3")
    started = max(time.monotonic(), turns.next.get(chat.id, 0.0))
    reply = await harness.next_message(chat, after=sent["message_id"], containing="2.3")
    turns.arrived(chat)
    assert "2.3" in text_of(reply)
    return time.monotonic() - started


@pytest.mark.slow
async def test_status_is_quick_while_another_chat_gets_a_slow_batch(rig: RealLimits) -> None:
    turns = Turns()
    busy = await rig.bound("社救科工作群", "王科长", "社救科")
    other = await rig.bound("社区科工作群", "赵科长", "社区科")
    turns.arrived(other)
    async with rig.core.db.session() as session:
        for n in range(27):
            draft = OutboxDraft(
                f"batch-{n}", busy.id, "社救科", "notice", {"text": f"第{n}条"}, START
            )
            await outbox.enqueue(session, draft, START)
    rig.emu.slow(2.0, "sendMessage", busy.id)
    rig.worker.wake()
    await rig.next_message(busy, containing="第1条")  # the batch is under way
    took = [await _status_took(rig, other, turns) for _ in range(3)]
    sent_so_far = len([t for t in rig.bot_texts(busy) if t.startswith("第")])
    print(f"/status took {', '.join(f'{t * 1000:.0f} ms' for t in took)} "
          f"while {sent_so_far} of 27 were sent")  # fmt: skip
    assert sent_so_far < 27, "the batch was over before /status was asked"
    assert max(took) < 1.0


@pytest.mark.slow
async def test_a_slow_answer_in_one_chat_holds_up_no_other(rig: RealLimits) -> None:
    turns = Turns()
    slow = await rig.bound("社救科工作群", "王科长", "社救科")
    other = await rig.bound("社区科工作群", "赵科长", "社区科")
    turns.arrived(other)
    rig.emu.slow(3.0, "sendMessage", slow.id)
    rig.emu.send(slow.id, slow.user, "/status")
    await asyncio.sleep(0.2)  # its answer is on its way, slowly
    took = await _status_took(rig, other, turns)
    assert took < 1.0
    await rig.next_message(slow, containing="社救科")
