"""An asyncio event loop on virtual time: when every task waits, the clock jumps to the next timer.

`asyncio.sleep`, `loop.call_later` and timeouts all run on `loop.time()`, so code that takes
its clock and sleep from the loop (or is handed `loop.time` and `asyncio.sleep`) runs an hour
of sends in milliseconds, deterministically. Only for code that does no real I/O, unless
given a `grace`: real I/O in the same process (an emulator on loopback, a database thread)
then answers before the clock moves on.
"""

from __future__ import annotations

import asyncio
import selectors
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")
# Real seconds to wait for real I/O when no timer is set, before calling it a deadlock.
IO_PATIENCE = 10.0


class _Now:
    def __init__(self) -> None:
        self.value = 0.0


class _JumpingSelector(selectors.DefaultSelector):
    """Never waits: a select that would block advances the virtual clock instead."""

    def __init__(self, now: _Now, grace: float) -> None:
        super().__init__()
        self._now = now
        self._grace = grace
        self.waited = 0.0  # real seconds spent waiting before jumps
        self.jumps = 0

    def select(self, timeout: float | None = None) -> list[tuple[Any, int]]:
        ready: list[tuple[Any, int]] = super().select(0)
        if ready or (timeout is not None and timeout <= 0):
            return ready
        if self._grace:
            # Real I/O (a database's thread, a socket) gets a moment to answer before the
            # clock jumps, so that a jump never outruns a timeout waiting on it.
            # With no timer at all, only real I/O can move things on: wait for it.
            # The further the clock would jump, the longer real I/O may take to answer first.
            patience = IO_PATIENCE if timeout is None else min(1.0, self._grace + timeout / 100)
            ready = super().select(patience)
            self.waited += patience if not ready else 0.0
            self.jumps += not ready
            if ready:
                return ready
        if timeout is None:
            raise RuntimeError("virtual time: every task waits and no timer is set (deadlock)")
        self._now.value += timeout
        return []


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    """A selector event loop whose `time()` is virtual and jumps instead of waiting."""

    def __init__(self, grace: float = 0.0) -> None:
        self._virtual = _Now()
        super().__init__(_JumpingSelector(self._virtual, grace))

    def time(self) -> float:
        """Return the virtual time in seconds (starts at 0)."""
        return self._virtual.value


def run_virtually(main: Callable[[], Coroutine[Any, Any, T]], grace: float = 0.0) -> T:
    """Run `main()` to completion on a fresh virtual-time loop; with `grace` (real seconds),
    real I/O gets that long to answer before each jump of the clock."""
    loop = VirtualTimeLoop(grace)
    try:
        return loop.run_until_complete(main())
    finally:
        loop.close()
