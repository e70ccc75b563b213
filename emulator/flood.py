"""Telegram's flood limits, enforced strictly: 429 with retry_after the moment one is crossed.

Telegram documents 30 messages a second overall, 20 a minute in one group and about one a
second in a private chat; the real server is looser at moments and stricter at others. This
one counts sends in sliding windows `(now - seconds, now]` and refuses the send that would
make any count exceed its limit, so a sender that paces itself gets no 429 at all and one
that bursts gets one at once. Off unless the emulator is made with `flood_limits`.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FloodLimits:
    """How many sends each window allows: overall, per group, per private chat."""

    overall: tuple[int, float] = (30, 1.0)
    group: tuple[int, float] = (20, 60.0)
    private: tuple[int, float] = (1, 1.0)


TELEGRAM_LIMITS = FloodLimits()


def busiest(times: Sequence[float], seconds: float) -> int:
    """Return the most of the send `times` (oldest first) in any window `(t - seconds, t]`:
    the count a limit over that window sees at its fullest."""
    most, first = 0, 0
    for last, at in enumerate(times):
        while times[first] <= at - seconds:
            first += 1
        most = max(most, last - first + 1)
    return most


class _Window:
    """Send times within the last `seconds`, oldest first."""

    def __init__(self, count: int, seconds: float) -> None:
        self.count = count
        self.seconds = seconds
        self.times: deque[float] = deque()

    def wait(self, now: float) -> float:
        """Return how long until one more send fits (0 when it fits now)."""
        while self.times and self.times[0] <= now - self.seconds:
            self.times.popleft()
        if len(self.times) < self.count:
            return 0.0
        return self.times[len(self.times) - self.count] + self.seconds - now


class FloodControl:
    """Counts the bot's sends and says when one would cross a limit."""

    def __init__(
        self, limits: FloodLimits = TELEGRAM_LIMITS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limits = limits
        self.clock = clock
        self._overall = _Window(*limits.overall)
        self._chats: dict[int, _Window] = {}
        # Every counted send as (time, chat id), oldest first: what a test or benchmark measures.
        self.sent: list[tuple[float, int]] = []
        # How many sends were refused with 429.
        self.refused = 0

    def _chat(self, chat_id: int, private: bool) -> _Window:
        window = self._chats.get(chat_id)
        if window is None:
            limit = self.limits.private if private else self.limits.group
            window = self._chats[chat_id] = _Window(*limit)
        return window

    def retry_after(self, chat_id: int, private: bool) -> int | None:
        """Return Telegram's retry_after (whole seconds, at least 1) if a send now would flood."""
        now = self.clock()
        wait = max(self._overall.wait(now), self._chat(chat_id, private).wait(now))
        if wait <= 0:
            return None
        self.refused += 1
        return max(1, math.ceil(wait))

    def record(self, chat_id: int, private: bool) -> None:
        """Count a send that went out now."""
        now = self.clock()
        self._overall.times.append(now)
        self._chat(chat_id, private).times.append(now)
        self.sent.append((now, chat_id))
