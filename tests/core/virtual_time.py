"""An asyncio event loop on virtual time: when every task waits, the clock jumps to the next timer.

`asyncio.sleep`, `loop.call_later` and timeouts all run on `loop.time()`, so code that takes
its clock and sleep from the loop (or is handed `loop.time` and `asyncio.sleep`) runs an hour
of sends in milliseconds, deterministically. Only for code that does no real I/O.
"""

from __future__ import annotations

import asyncio
import selectors
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


class _Now:
    def __init__(self) -> None:
        self.value = 0.0


class _JumpingSelector(selectors.DefaultSelector):
    """Never waits: a select that would block advances the virtual clock instead."""

    def __init__(self, now: _Now) -> None:
        super().__init__()
        self._now = now

    def select(self, timeout: float | None = None) -> list[tuple[Any, int]]:
        ready: list[tuple[Any, int]] = super().select(0)
        if ready or (timeout is not None and timeout <= 0):
            return ready
        if timeout is None:
            raise RuntimeError("virtual time: every task waits and no timer is set (deadlock)")
        self._now.value += timeout
        return []


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    """A selector event loop whose `time()` is virtual and jumps instead of waiting."""

    def __init__(self) -> None:
        self._virtual = _Now()
        super().__init__(_JumpingSelector(self._virtual))

    def time(self) -> float:
        """Return the virtual time in seconds (starts at 0)."""
        return self._virtual.value


def run_virtually(main: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run `main()` to completion on a fresh virtual-time loop."""
    loop = VirtualTimeLoop()
    try:
        return loop.run_until_complete(main())
    finally:
        loop.close()
