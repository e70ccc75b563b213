"""Who does something: the name the ledger shows, where it came from, and the update's key."""

from __future__ import annotations

from dataclasses import dataclass


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
