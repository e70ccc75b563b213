"""Send at the platform's pace: never past a limit, no bursts, every chat's messages in order.

Telegram allows 30 messages a second overall, 20 a minute to one group and about one a
second to one private chat; WeCom 30 a minute to one member (app messages) and 20 a minute
to one group (robots). A sender that fires and backs off on 429 delivers late and out of
order; this one spaces its sends instead: one every 1/30 s overall, one every 3 s to a group
(`seconds / count` for each limit), so a sliding window never holds more than the limit.

    pacer = Pacer(TELEGRAM)
    async with pacer.slot(chat_id, "group"):   # waits for this chat's turn
        await channel.send(...)
    pacer.hold(retry_after, chat_id)           # a 429 anyway (another process, a stricter
                                               # server): nothing more to that chat till then

How turns are given: a chat's messages leave in the order their slots were entered, each
after the one before it has finished sending. Only the message at the head of a chat's queue
holds a booking: it books the earliest free send time when it gets there (on entry, for a
chat with nothing queued). So chats take turns: one with fifty messages queued holds one
booking at a time and the others fill the times between, and no send time stays empty while
some chat may send. A booking that can no longer be kept (a hold came in, the turn came
late) moves to the next free time before sending.
Overall sends sit on a grid of the overall interval, so finding a free time is cheap however
many are queued. Times are whole microseconds internally; every interval is padded by
`slack` so that rounding and a little scheduling lateness never cross a limit.

A busy event loop wakes a waiting send a little late. A chat's spacing counts from when its
last message actually went, so lateness never shortens it; an overall send time may be kept
up to 10 ms after it (less than the padding of a whole window: 30 sends padded by 1 ms
each), beyond that it moves to the next free time. So the overall pace holds
on a loaded machine instead of every late wake-up losing its turn.

Enter slots concurrently (a task per message, or per chat): a loop that awaits each slot
in turn makes every chat wait out the spacing of the one before it. One pacer per bot (or
app) per process; replicas sharing one bot each need a share of the limits.

Time is injected (`clock`: monotonic seconds, by default the running event loop's, which
`asyncio.sleep` waits on; `sleep`), so tests run on virtual time.
Nothing here imports a chat library.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Literal

ChatKind = Literal["private", "group"]

MICRO = 1_000_000
SWEEP_EVERY = 1_000  # slots between clean-ups of idle chats and past bookings
MAX_LATE = 10_000  # µs a send may go after its overall send time and still keep it
CHAT_PADDING = 0.01  # a chat's spacing, padded (group: 3.03 s rather than 3 s)


@dataclass(frozen=True, slots=True)
class Limits:
    """A platform's send limits: overall per second (None: none), and per chat by kind.

    `per_chat[kind]` is `(count, seconds)`: at most `count` messages in any `seconds`; a kind
    left out has no limit of its own (its chats still keep their order and the overall pace).
    """

    global_per_second: float | None
    per_chat: Mapping[ChatKind, tuple[int, float]]


TELEGRAM = Limits(30, {"private": (1, 1.0), "group": (20, 60.0)})
"""Telegram's documented limits (a per-channel setting: a paid broadcast bot may differ)."""

WECOM = Limits(None, {"private": (30, 60.0), "group": (20, 60.0)})
"""WeCom: an app message to one member 30 a minute; a group robot 20 a minute."""


def loop_time() -> float:
    """Return the running event loop's clock (monotonic; virtual on a test's virtual loop)."""
    return asyncio.get_running_loop().time()


@dataclass(slots=True)
class _Chat:
    interval: int  # µs between two sends to this chat
    granted: int | None = None  # when its last message went
    tail: asyncio.Future[None] | None = None  # done when the last slot entered is left
    open: int = 0  # slots entered and not left


class Pacer:
    """Hands out send turns at the pace `limits` allow; one per channel (bot or app)."""

    def __init__(
        self,
        limits: Limits,
        *,
        clock: Callable[[], float] = loop_time,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        slack: float = 0.001,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._slack = math.ceil(slack * MICRO)
        per_window = 1 if limits.global_per_second is None else int(limits.global_per_second)
        self._late = max(self._slack, min(MAX_LATE, (per_window - 1) * self._slack))
        self._grid = (
            None
            if limits.global_per_second is None
            else math.ceil(MICRO / limits.global_per_second) + self._slack
        )
        # A chat's spacing is padded by 1 % too: it costs no overall pace (other chats fill
        # the time) and leaves a whole window of it for a send's way to the server to vary.
        self._intervals = {
            kind: math.ceil(MICRO * seconds / count * (1 + CHAT_PADDING)) + self._slack
            for kind, (count, seconds) in limits.per_chat.items()
        }
        self._chats: dict[Hashable, _Chat] = {}
        # Booked grid cells: cell → a cell at or before the next free one (path-compressed).
        self._booked: dict[int, int] = {}
        self._held_until = 0
        self._chat_holds: dict[Hashable, int] = {}
        self._entered = 0

    @asynccontextmanager
    async def slot(self, chat: Hashable, kind: ChatKind) -> AsyncIterator[None]:
        """Wait for this chat's next turn, then send inside the block (in entry order)."""
        state = self._chat(chat, kind)
        before, mine = state.tail, asyncio.get_running_loop().create_future()
        state.tail = mine
        state.open += 1
        when: int | None = None
        granted = False
        try:
            if before is not None and not before.done():
                await asyncio.shield(before)  # a cancelled wait must not cancel theirs
            while True:
                now = self._now()
                need = self._earliest(chat, state)
                if when is None or when < need or now > when + self._late:
                    # First booking, or one that can no longer be kept (held, or late).
                    if when is not None:
                        self._unbook(when)
                    when = self._book(max(need, now))
                elif now >= when:
                    break
                else:
                    await self._sleep((when - now) / MICRO)
            state.granted, when, granted = now, None, True  # when it actually went
            yield
        finally:
            if when is not None:  # left before its turn (cancelled)
                self._unbook(when)
            if not granted and before is not None and not before.done():
                # The next one in this chat still waits for the one before.
                before.add_done_callback(lambda _: _resolve(mine))
            else:
                _resolve(mine)
            state.open -= 1
            if state.tail is mine:
                state.tail = None

    def hold(self, seconds: float, chat: Hashable | None = None) -> None:
        """Send nothing more (to `chat`, or at all) for `seconds`: the platform said so."""
        until = self._now() + math.ceil(seconds * MICRO)
        if chat is None:
            self._held_until = max(self._held_until, until)
        else:
            self._chat_holds[chat] = max(self._chat_holds.get(chat, 0), until)

    def _now(self) -> int:
        return math.floor(self._clock() * MICRO)

    def _chat(self, chat: Hashable, kind: ChatKind) -> _Chat:
        self._entered += 1
        if self._entered % SWEEP_EVERY == 0:
            self._sweep()
        state = self._chats.get(chat)
        if state is None:
            state = self._chats[chat] = _Chat(self._intervals.get(kind, 0))
        return state

    def _earliest(self, chat: Hashable, state: _Chat) -> int:
        """Return the earliest time the chat's next send may go: spaced, and not held."""
        spaced = 0 if state.granted is None else state.granted + state.interval
        return max(spaced, self._held_until, self._chat_holds.get(chat, 0))

    def _book(self, earliest: int) -> int:
        """Book the first free overall send time at or after `earliest`."""
        if self._grid is None:
            return earliest
        cell = self._free_cell(-(-earliest // self._grid))
        self._booked[cell] = cell + 1
        return cell * self._grid

    def _unbook(self, when: int) -> None:
        if self._grid is not None and when % self._grid == 0:
            self._booked.pop(when // self._grid, None)

    def _free_cell(self, cell: int) -> int:
        root = cell
        while root in self._booked:
            root = self._booked[root]
        while cell != root:  # path compression: later searches jump straight here
            self._booked[cell], cell = root, self._booked[cell]
        return root

    def _sweep(self) -> None:
        """Forget chats whose spacing no longer matters and overall bookings in the past."""
        now = self._now()
        for chat, state in list(self._chats.items()):
            if state.open == 0 and (state.granted or 0) + state.interval < now:
                del self._chats[chat]
        for chat, until in list(self._chat_holds.items()):
            if until < now:
                del self._chat_holds[chat]
        if self._grid is not None:
            past = now // self._grid - 1
            for cell in [c for c in self._booked if c < past]:
                del self._booked[cell]


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
