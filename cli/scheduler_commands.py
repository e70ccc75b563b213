"""`duban simulate`: every message the scheduler would push over a span of days, offline."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from cli.context import run_async
from plan_data.errors import DubanError

if TYPE_CHECKING:
    from cli.context import CliContext
    from simulate.answers import Answer
    from simulate.engine import SimulatedMessage

# A year is enough to see a whole plan; more is almost certainly a typo.
MAX_DAYS = 800


class BadSimulateOption(DubanError):
    """A date or file given to `duban simulate` that cannot be used."""


def register(subparsers: Any) -> None:
    """Add the simulate sub-command."""
    sim = subparsers.add_parser(
        "simulate", help="print every message the scheduler would push, with no network"
    )
    sim.add_argument("--from", dest="date_from", metavar="DATE", required=True, help="first day")
    sim.add_argument("--to", dest="date_to", metavar="DATE", required=True, help="last day")
    sim.add_argument("--json", action="store_true", help="print DESIGN's JSON lines")
    sim.add_argument(
        "--db",
        dest="simulate_db",
        metavar="URL",
        help="run on this database (without it: none at all, or a throwaway one for answers; "
        "units without a chat get a pseudo chat there, and messages are marked sent)",
    )
    sim.add_argument("--plan", type=Path, metavar="FILE", help="plan file (default: DUBAN_PLAN)")
    sim.add_argument(
        "--answers",
        type=Path,
        metavar="FILE",
        help="answers to apply, one a line: '2022-06-10 2.3 社救科 done', "
        "'2022-06-10 2.3 社救科 extension 2022-07-15', '2022-06-11 approve 2.3 社救科'",
    )
    sim.set_defaults(func=run_simulate)


def run_simulate(args: argparse.Namespace, ctx: CliContext) -> int:
    """Run the simulation and print it day by day (or as JSON lines)."""
    from scheduler.settings import load_settings
    from simulate.engine import simulate

    first = _day(args.date_from, "--from")
    last = _day(args.date_to, "--to")
    if last < first:
        raise BadSimulateOption("--to is before --from")
    if (last - first).days > MAX_DAYS:
        raise BadSimulateOption(f"simulate at most {MAX_DAYS} days at a time")
    answers = _answers(args.answers) if args.answers else []
    settings = load_settings(ctx.settings.policy_file, ctx.settings.tz)
    db_url = args.simulate_db or getattr(args, "db", None)
    plan = args.plan or ctx.settings.plan_path
    pushed = run_async(simulate(plan, first, last, settings, answers, db_url))
    if db_url and not pushed:
        # A second run on the same ledger is silent by design: say so, not just nothing.
        print(
            f"duban simulate: no new messages from {first.isoformat()} to {last.isoformat()}"
            " on this ledger (none due, or already in its outbox: nothing is sent twice)",
            file=ctx.err,
        )
    if args.json:
        for message in pushed:
            print(json.dumps(message.to_json(), ensure_ascii=False), file=ctx.out)
    else:
        print_days(pushed, first, last, ctx.out)
    return 0


def print_days(pushed: Sequence[SimulatedMessage], first: date, last: date, out: TextIO) -> None:
    """Print the messages grouped by day, with a count at the end."""
    from vocabulary import cn_date

    current: date | None = None
    for message in pushed:
        day = message.at.date()
        if day != current:
            current = day
            print(f"\n== {day.isoformat()} {cn_date(day, weekday=True)}", file=out)
        print(f"-- {message.at:%H:%M} to {message.to} ({message.kind})", file=out)
        for line in message.text.splitlines():
            print(f"   {line}" if line else "", file=out)
    print(f"\n{len(pushed)} message(s) from {first.isoformat()} to {last.isoformat()}", file=out)


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise BadSimulateOption(
            f"{option}: cannot read {text!r} as a date; write it as YYYY-MM-DD"
        ) from None


def _answers(path: Path) -> list[Answer]:
    from simulate.answers import parse_answers

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise BadSimulateOption(f"cannot read answers file {path}: {exc.strerror}") from None
    return parse_answers(text)
