"""What every command receives: settings, a clock and an output stream."""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any, TextIO, TypeVar

if TYPE_CHECKING:
    from cli.settings import Settings
    from core.runtime import CoreConfig
    from scheduler.clock import Clock


@dataclass
class CliContext:
    """The composition root's view of the world, handed to each command."""

    settings: Settings
    clock: Clock
    out: TextIO = field(default_factory=lambda: sys.stdout)
    err: TextIO = field(default_factory=lambda: sys.stderr)

    @property
    def database_url(self) -> str:
        """Return the database URL to use (`--db` wins over the environment)."""
        return self.settings.database_url

    def core_config(self) -> CoreConfig:
        """Return what the core needs: the ledger, the plan, the time zone, the policy file."""
        from core.runtime import CoreConfig

        settings = self.settings
        return CoreConfig(
            self.database_url,
            settings.plan_path,
            settings.tz,
            settings.policy_file,
            board_url=settings.base_url,
            board_link_ttl=timedelta(hours=settings.web_link_hours),
            evidence_dir=settings.evidence_dir,
        )


Command = Callable[[argparse.Namespace, CliContext], int]
T = TypeVar("T")


def run_async(work: Coroutine[Any, Any, T]) -> T:
    """Run a command's async work to its end. asyncio is imported here, by the commands that
    use it: `duban --help` and `duban plan show` never need it."""
    import asyncio

    return asyncio.run(work)


@contextmanager
def collector_paused(*, freeze: bool = False) -> Iterator[None]:
    """Run the block with the cyclic collector off; with `freeze`, move what exists at its
    end out of the collector's sight for good.

    Loading modules and settings makes objects that outlive the block; the collector would
    walk the growing heap again and again while they load and find nothing (a sixth of
    `duban run`'s start). `duban run` freezes what it loaded, as it lives as long as the
    process. Only imports and settings belong in the block, nothing that waits, so the
    pause is short and bounded.
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
