"""Build the bureau page's view once per minute while the ledger is unchanged.

A wall screen, twenty phones and a refresh every few minutes all ask for the same page;
reading a million-entry ledger for each would be wasted work. The view is rebuilt when
any entry, extension request or decision, or plan import is written (the ledger's
fingerprint changes), and at least once a minute (the page shows the time to the minute;
lights change at midnight; an entry recorded with a future time shows within a minute).
Concurrent requests for a stale view wait for one rebuild instead of starting their own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class ViewCache(Generic[T]):
    """One cached value, valid while its key (fingerprint, minute) stays the same."""

    def __init__(self) -> None:
        self._key: Hashable | None = None
        self._value: T | None = None
        self._lock = asyncio.Lock()
        self.builds = 0

    async def get(self, key: Hashable, build: Callable[[], Awaitable[T]]) -> T:
        """Return the value for key, building it (once, however many ask) if it is stale."""
        if self._key == key and self._value is not None:
            return self._value
        async with self._lock:
            if self._key != key or self._value is None:
                self._value = await build()
                self._key = key
                self.builds += 1
            return self._value

    def clear(self) -> None:
        """Forget the value (tests and benchmarks measure the cold path)."""
        self._key, self._value = None, None
