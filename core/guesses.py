"""Invite codes are guessed slowly: wrong codes counted per chat and per person, and a
cool-down once there are too many (`core.binding.bind` asks; one per process)."""

from __future__ import annotations

import time
from collections import deque

from core.errors import TooManyGuesses

GUESSES = 5
GUESS_WINDOW = 600.0
COOL_DOWN = 600.0


class GuessGuard:
    """Wrong invite codes per key (a chat, a person) in a sliding window, and cool-downs."""

    def __init__(
        self, limit: int = GUESSES, window: float = GUESS_WINDOW, cool_down: float = COOL_DOWN
    ) -> None:
        self._limit = limit
        self._window = window
        self._cool_down = cool_down
        self._wrong: dict[str, deque[float]] = {}
        # key -> (cool-down ends, whether the refusal was told already)
        self._locked: dict[str, tuple[float, bool]] = {}

    def refuse(self, keys: list[str]) -> TooManyGuesses | None:
        """Return the refusal for a try now, if any key is cooling down (told once)."""
        now = time.monotonic()
        for key in keys:
            locked = self._locked.get(key)
            if locked is None:
                continue
            until, told = locked
            if until <= now:
                del self._locked[key]
                continue
            self._locked[key] = (until, True)
            return TooManyGuesses(max(1, round((until - now) / 60)), tell=not told)
        return None

    def wrong(self, keys: list[str]) -> list[str]:
        """Count a wrong code against each key; return the keys that now cool down."""
        now = time.monotonic()
        locked = []
        for key in keys:
            recent = self._wrong.setdefault(key, deque())
            recent.append(now)
            while recent and recent[0] <= now - self._window:
                recent.popleft()
            if len(recent) >= self._limit:
                self._locked[key] = (now + self._cool_down, False)
                recent.clear()
                locked.append(key)
        return locked

    def right(self, keys: list[str]) -> None:
        """Forget the wrong codes of keys that just bound."""
        for key in keys:
            self._wrong.pop(key, None)
