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

# The longest a pass keeps the collector off: the whole process runs without it meanwhile,
# and a pass stuck on an unanswering database must not stretch that (a busy 100x pass
# takes a fifth of a second).
PASS_PAUSE_LIMIT_S = 5.0


@contextmanager
def collector_paused(*, freeze: bool = False, at_most: float | None = None) -> Iterator[None]:
    """Run the block with the cyclic collector off; with `freeze`, move what exists at its
    end out of the collector's sight for good (`duban run` freezes what start-up loaded, as
    it lives as long as the process).

    The collector is off for the whole process, so the pause must be short: imports and
    settings, or one reconcile pass, which waits on the database (`at_most` seconds, on a
    running event loop: the collector comes back on then even if the block goes on).
    Blocks may overlap in one event loop; the collector is on again once the block that
    turned it off ends.
    """
    was_on = gc.isenabled()
    gc.disable()
    limit = None
    if at_most is not None and was_on:
        # Imported here: `duban --help` pauses the collector too and never needs asyncio.
        from asyncio import get_running_loop

        limit = get_running_loop().call_later(at_most, gc.enable)
    try:
        yield
    finally:
        if limit is not None:
            limit.cancel()
        if freeze:
            gc.freeze()
        if was_on:
            gc.enable()
