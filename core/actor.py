"""Who does something: the name the ledger shows, where it came from, and the update's key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True, slots=True)
class Reporter:
    """The person (or tool) behind an action, as the ledger records it."""

    name: str
    # A channel's name ("telegram", "wecom"), "cli" or "simulate".
    source: str
    chat_id: int | None = None
    # The channel's id of the update that carried the action (`telegram:123`): an update
    # handled twice (a retry, a redelivery) records once.
    key: str | None = None
    # A tap: the same person recording the same status on the same item from the same chat
    # within this long records once (five taps on 已完成 are one entry).
    repeat_within: timedelta | None = None

    def recorded(self, entry_key: str | None) -> bool:
        """Return whether an entry with this source key was recorded by this very action
        (not by an earlier tap it repeats)."""
        return entry_key == self.key
