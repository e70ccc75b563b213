"""The cyclic garbage collector around bursts that allocate much and keep little.

A reconcile pass of a big plan makes hundreds of thousands of short-lived objects (rows,
milestone states, glances, drafts): with the default thresholds the collector runs about a
thousand times in a 100x busy pass and walks the pass's own live data each time, a tenth of
the pass. Loading modules at start-up is the same story. Refcounting frees nearly all of
it anyway; what needs the collector (cycles made in the block) waits for the first
collection after it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused(*, freeze: bool = False) -> Iterator[None]:
    """Run the block with the cyclic collector off; with `freeze`, move what exists at its
    end out of the collector's sight for good (`duban run` freezes what start-up loaded, as
    it lives as long as the process).

    The pause is bounded by the block: imports and settings, or one reconcile pass (its
    statements' time, at most a busy timeout when the ledger is locked). Blocks may
    overlap in one event loop; the collector is on again once the block that turned it off
    ends.
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        if was_on:
            gc.enable()
