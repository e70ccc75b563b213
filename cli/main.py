"""The `duban` command: one entry point, a sub-command per job."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from cli import (
    bot_commands,
    calendar_commands,
    document_commands,
    integrity_commands,
    ledger_commands,
    pause_commands,
    plan_commands,
    report_commands,
    scheduler_commands,
    signoff_commands,
    web_commands,
    wecom_commands,
)
from cli.context import CliContext
from plan_data.errors import DubanError
from scheduler.heap import collector_paused

# Every command module is imported (its parser is part of `duban --help`), so each keeps its
# top level light: what a command needs (the ledger, the core, matplotlib, the web board …) is
# imported inside the function that runs it. tests/test_lean.py holds them to it.

# Each module adds its sub-commands; order here is the order of `duban --help`.
COMMAND_MODULES = [
    plan_commands,
    ledger_commands,
    signoff_commands,
    pause_commands,
    integrity_commands,
    report_commands,
    scheduler_commands,
    calendar_commands,
    bot_commands,
    wecom_commands,
    web_commands,
    document_commands,
]


def build_parser() -> argparse.ArgumentParser:
    """Return the parser for every sub-command."""
    parser = argparse.ArgumentParser(
        prog="duban", description="督办: keep an office's annual work plan on schedule."
    )
    parser.add_argument(
        "--clock", metavar="ISO", help="start the clock at this instant (or set DUBAN_CLOCK)"
    )
    parser.add_argument("--db", metavar="URL", help="database URL (or set DUBAN_DATABASE_URL)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one `duban` command and return its exit status."""
    with collector_paused():
        args = build_parser().parse_args(argv)
        ctx = _context(args)
    if ctx is None:
        return 1
    try:
        status: int = args.func(args, ctx)
    except DubanError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`duban digest | head`): stop quietly, as other CLI tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    return status


def _context(args: argparse.Namespace) -> CliContext | None:
    """Return the settings and the clock the command runs with, or None after saying what
    is wrong with them."""
    from cli.settings import BadSettings, Settings
    from scheduler.clock import clock_from_option

    try:
        settings = Settings.read()
    except BadSettings as exc:
        # One line per bad setting, named as the environment names it (WECOM_AGENT_ID).
        for name, why in exc.problems:
            print(f"error: setting {name}: {why}", file=sys.stderr)
        return None
    if args.db:
        settings.database_url = args.db
    try:
        clock = clock_from_option(args.clock or settings.clock, settings.tz)
    except (ValueError, DubanError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return None
    return CliContext(settings=settings, clock=clock)


if __name__ == "__main__":
    sys.exit(main())
