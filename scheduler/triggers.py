"""APScheduler triggers that keep the service's clock, not the wall clock.

`duban run --clock 2022-06-23T08:59:35` starts a drill clock that runs on in real time from
that instant. A cron trigger left alone would fire at 09:00 *real* time; wrapped here it fires
when the drill clock reads 09:00. With the system clock the offset is zero and nothing changes.
"""

from __future__ import annotations

from datetime import datetime

from apscheduler.triggers.base import BaseTrigger

from scheduler.clock import Clock


class ClockTrigger(BaseTrigger):  # type: ignore[misc]
    """Fire when `inner` would, read on `clock` instead of real time."""

    def __init__(self, inner: BaseTrigger, clock: Clock) -> None:
        self._inner = inner
        self._clock = clock

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        """Return the real instant at which the clock will show the inner trigger's next time."""
        offset = self._clock.now() - now
        previous = previous_fire_time + offset if previous_fire_time is not None else None
        upcoming: datetime | None = self._inner.get_next_fire_time(previous, now + offset)
        return None if upcoming is None else upcoming - offset

    def __str__(self) -> str:
        """Describe the trigger for APScheduler's logs."""
        return f"{self._inner} on the service clock"
