"""What every command receives: settings, a clock and an output stream."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Coroutine
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
