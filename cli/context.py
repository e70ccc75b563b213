"""What every command receives: settings, a clock and an output stream."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO

from cli.settings import Settings
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


Command = Callable[[argparse.Namespace, CliContext], int]
