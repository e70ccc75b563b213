"""The pacer against a channel that enforces Telegram's limits strictly, on virtual time.

The fake answers 429 (`TryLater`) the moment a send would cross 30 a second overall, 20 a
minute to a group or 1 a second to a private chat: the emulator's own flood rules
(`emulator.flood`), on the loop's virtual clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from core.channel import Attachment, OutgoingMessage, TryLater
from core.pacing import TELEGRAM, WECOM, ChatKind, Limits, Pacer
from emulator.flood import TELEGRAM_LIMITS, FloodControl, busiest
from tests.core.virtual_time import run_virtually

Clock = Callable[[], float]


@dataclass
class FloodedChannel:
    """Accepts a send unless it crosses a limit; then raises TryLater like a 429."""

    clock: Clock
    send_seconds: dict[str, float] = field(default_factory=dict)  # slow chats
    delivered: list[tuple[float, str, str]] = field(default_factory=list)
    refused: int = 0

    def __post_init__(self) -> None:
        self._flood = FloodControl(TELEGRAM_LIMITS, self.clock)

    @property
    def name(self) -> str:
        """Return "flooded"."""
        return "flooded"

    async def send(self, address: str, message: OutgoingMessage) -> str:
        """Deliver, or refuse with the retry_after a 429 would carry."""
        private = address.startswith("p")
        chat = hash(address)
        retry = self._flood.retry_after(chat, private)
        if retry is not None:
            self.refused += 1
            raise TryLater("429 Too Many Requests", timedelta(seconds=retry))
        self._flood.record(chat, private)
        self.delivered.append((self.clock(), address, message.text))
        await asyncio.sleep(self.send_seconds.get(address, 0.0))
        return str(len(self.delivered))

    async def edit(self, address: str, ref: str, message: OutgoingMessage) -> None:
        """Not used here."""
        raise NotImplementedError

    async def send_attachment(self, address: str, attachment: Attachment) -> str:
        """Not used here."""
        raise NotImplementedError


def _kind(address: str) -> ChatKind:
    return "private" if address.startswith("p") else "group"


async def _deliver_all(
    messages: list[tuple[str, str]], limits: Limits = TELEGRAM, **slow: float
) -> FloodedChannel:
    """Send every (address, text) through a pacer, one task per message, in list order."""
    loop = asyncio.get_running_loop()
    channel = FloodedChannel(loop.time, dict(slow))
    pacer = Pacer(limits, clock=loop.time, sleep=asyncio.sleep)

    async def one(address: str, text: str) -> None:
        async with pacer.slot(address, _kind(address)):
            await channel.send(address, OutgoingMessage(text))

    async with asyncio.TaskGroup() as tasks:
        for address, text in messages:
            tasks.create_task(one(address, text))
    return channel


def _run(make: Callable[[], Awaitable[FloodedChannel]]) -> FloodedChannel:
    async def main() -> FloodedChannel:
        return await make()

    return run_virtually(main)


def _prompts(groups: int, each: int, round_robin: bool) -> list[tuple[str, str]]:
    if round_robin:
        return [(f"g{g}", f"g{g} 提醒{n}") for n in range(each) for g in range(groups)]
    return [(f"g{g}", f"g{g} 提醒{n}") for g in range(groups) for n in range(each)]


def _per_chat(channel: FloodedChannel) -> dict[str, list[str]]:
    chats: dict[str, list[str]] = defaultdict(list)
    for _, address, text in channel.delivered:
        chats[address].append(text)
    return chats


def _rate(channel: FloodedChannel) -> float:
    times = [at for at, _, _ in channel.delivered]
    return (len(times) - 1) / (times[-1] - times[0])


@pytest.mark.parametrize("round_robin", [True, False], ids=["round-robin", "chat-by-chat"])
def test_1000_prompts_to_200_groups_arrive_all_once_in_order_with_no_429(
    round_robin: bool,
) -> None:
    prompts = _prompts(200, 5, round_robin)
    channel = _run(lambda: _deliver_all(prompts))
    assert channel.refused == 0
    assert len(channel.delivered) == 1000
    assert Counter(text for _, _, text in channel.delivered) == Counter(t for _, t in prompts)
    for address, texts in _per_chat(channel).items():
        assert texts == [f"{address} 提醒{n}" for n in range(5)]
    # Smoothed, not bursty, and still close to the platform's 30 a second.
    assert _rate(channel) >= 0.95 * 30
    times = [at for at, _, _ in channel.delivered]
    assert busiest(times, 1.0) <= 30


def test_300_prompts_to_7_groups_stay_within_20_a_minute_each() -> None:
    prompts = [(f"g{n % 7}", f"提醒{n}") for n in range(300)]
    channel = _run(lambda: _deliver_all(prompts))
    assert channel.refused == 0
    assert len(channel.delivered) == 300
    by_chat: dict[str, list[float]] = defaultdict(list)
    for at, address, _ in channel.delivered:
        by_chat[address].append(at)
    for times in by_chat.values():
        assert busiest(times, 60.0) <= 20
        gaps = [b - a for a, b in itertools.pairwise(times)]
        assert min(gaps) >= 3.0  # spaced evenly, not 20 at once then a pause
    # 43 prompts to one group at 20 a minute: a little over two minutes, not more.
    assert channel.delivered[-1][0] < 43 * 3.01


def test_a_chat_with_a_long_queue_does_not_hold_up_the_others() -> None:
    busy = [("g0", f"g0 提醒{n}") for n in range(50)]
    others = [(f"g{g}", f"g{g} 提醒") for g in range(1, 51)]
    channel = _run(lambda: _deliver_all(busy + others))
    assert channel.refused == 0
    first_of: dict[str, float] = {}
    for at, address, _ in channel.delivered:
        first_of.setdefault(address, at)
    # The 50 other groups all go within the first two seconds (51 sends at 30 a second),
    # while g0's fifty take two and a half minutes at 20 a minute.
    assert max(at for address, at in first_of.items() if address != "g0") < 2.0
    assert _per_chat(channel)["g0"] == [text for _, text in busy]


def test_private_chats_get_one_a_second_and_slow_sends_keep_their_order() -> None:
    messages = [(chat, f"{chat} 第{n}条") for chat in ("p1", "p2") for n in range(6)]
    # p1's sends take 2.5 s each: the next one waits for the one before to finish.
    channel = _run(lambda: _deliver_all(messages, p1=2.5))
    assert channel.refused == 0
    chats = _per_chat(channel)
    assert chats["p1"] == [f"p1 第{n}条" for n in range(6)]
    assert chats["p2"] == [f"p2 第{n}条" for n in range(6)]
    p1 = [at for at, address, _ in channel.delivered if address == "p1"]
    p2 = [at for at, address, _ in channel.delivered if address == "p2"]
    assert all(b - a >= 2.5 for a, b in itertools.pairwise(p1))
    assert all(b - a >= 1.0 for a, b in itertools.pairwise(p2))
    assert p2[-1] < 6.1  # p2 is not held up by p1's slow sends


def test_a_hold_stops_a_chat_or_everything_for_that_long() -> None:
    async def main() -> list[tuple[float, str]]:
        loop = asyncio.get_running_loop()
        pacer = Pacer(TELEGRAM, clock=loop.time, sleep=asyncio.sleep)
        sent: list[tuple[float, str]] = []

        async def one(address: str) -> None:
            async with pacer.slot(address, "group"):
                sent.append((loop.time(), address))

        await one("g1")
        pacer.hold(10.0, "g1")  # the platform said 429, retry after 10 s
        pacer.hold(2.0)  # and everything else waits 2 s
        async with asyncio.TaskGroup() as tasks:
            tasks.create_task(one("g1"))
            tasks.create_task(one("g2"))
        return sent

    sent = run_virtually(main)
    assert [address for _, address in sent] == ["g1", "g2", "g1"]
    assert sent[1][0] >= 2.0
    assert sent[2][0] >= 10.0


def test_a_cancelled_wait_neither_sends_nor_lets_the_next_overtake() -> None:
    async def main() -> list[str]:
        loop = asyncio.get_running_loop()
        pacer = Pacer(TELEGRAM, clock=loop.time, sleep=asyncio.sleep)
        sent: list[str] = []
        release = asyncio.Event()

        async def one(text: str, wait: asyncio.Event | None = None) -> None:
            async with pacer.slot("g1", "group"):
                if wait is not None:
                    await wait.wait()
                sent.append(text)

        async with asyncio.TaskGroup() as tasks:
            first = tasks.create_task(one("一", release))
            second = tasks.create_task(one("二"))
            third = tasks.create_task(one("三"))
            await asyncio.sleep(1.0)
            second.cancel()
            await asyncio.sleep(30.0)
            assert sent == []  # the first is still sending: the third must not overtake it
            release.set()
            await first
        del third
        return sent

    assert run_virtually(main) == ["一", "三"]


def test_wecom_has_no_overall_limit_but_30_a_minute_to_a_member() -> None:
    messages = [(f"p{n % 3}", f"第{n}条") for n in range(90)]
    channel = _run(lambda: _deliver_all(messages, WECOM))
    by_chat: dict[str, list[float]] = defaultdict(list)
    for at, address, _ in channel.delivered:
        by_chat[address].append(at)
    for times in by_chat.values():
        assert len(times) == 30
        assert busiest(times, 60.0) <= 30
        assert min(b - a for a, b in itertools.pairwise(times)) >= 2.0
    # Three members at once: nothing spaces them apart.
    assert sorted(times[0] for times in by_chat.values()) == [0.0, 0.0, 0.0]


def test_the_fake_refuses_a_burst_that_the_pacer_would_have_spaced() -> None:
    async def burst() -> FloodedChannel:
        channel = FloodedChannel(asyncio.get_running_loop().time)
        for g in range(40):
            with contextlib.suppress(TryLater):
                await channel.send(f"g{g}", OutgoingMessage("提醒"))
        return channel

    channel = _run(burst)
    assert (len(channel.delivered), channel.refused) == (30, 10)
