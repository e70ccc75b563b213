"""Clocks: every layer asks one of these for "now" instead of the system."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from vocabulary import DEFAULT_TZ


class Clock(Protocol):
    """Something that tells the current, timezone-aware time."""

    def now(self) -> datetime:
        """Return the current instant, timezone-aware."""
        ...


class SystemClock:
    """Real time."""

    def __init__(self, tz: ZoneInfo = DEFAULT_TZ) -> None:
        self._tz = tz

    def now(self) -> datetime:
        """Return the real current time."""
        return datetime.now(self._tz)


class FrozenClock:
    """A fixed instant that moves only when told to (tests and simulations)."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FrozenClock needs a timezone-aware start")
        self._now = start

    def now(self) -> datetime:
        """Return the frozen instant."""
        return self._now

    def set(self, instant: datetime) -> None:
        """Jump to an instant (never backwards)."""
        if instant < self._now:
            raise ValueError("time does not run backwards")
        self._now = instant

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward by delta."""
        self.set(self._now + delta)


class OffsetClock:
    """Starts at a given instant, then runs on in real time (`--clock ISO` drills)."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("OffsetClock needs a timezone-aware start")
        self._start = start
        self._origin = time.monotonic()

    def now(self) -> datetime:
        """Return the start instant plus the real time elapsed since creation."""
        return self._start + timedelta(seconds=time.monotonic() - self._origin)


def parse_clock(text: str, tz: ZoneInfo = DEFAULT_TZ) -> datetime:
    """Read an ISO date or datetime; a naive one is taken in tz. Raise ValueError if unreadable."""
    try:
        instant = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise ValueError(
            f"cannot read {text!r} as an ISO date or time, e.g. 2022-06-23T08:59"
        ) from exc
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=tz)
    return instant


def clock_from_option(text: str | None, tz: ZoneInfo = DEFAULT_TZ) -> Clock:
    """Return the clock a command should use: real time, or `--clock ISO` running on from there."""
    if not text:
        return SystemClock(tz)
    return OffsetClock(parse_clock(text, tz))
