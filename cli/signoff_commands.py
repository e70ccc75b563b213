"""`duban signoff list|pass|return|withdraw`: sign-off (销号) from the office's terminal.

The admin acts for the leadership here (通过 / 退回), or for a unit (撤回), through the same
core rules the chat buttons use; the unit hears a pass or a return in its chat as usual.
"""

from __future__ import annotations

import argparse
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from cli.context import run_async
from core.actor import Reporter
from plan_data.errors import DubanError

if TYPE_CHECKING:
    from cli.context import CliContext

OFFICE = "综合办"


class SignoffOptionError(DubanError):
    """A sign-off command that cannot be carried out as written."""


def register(sub: Any) -> None:
    """Add `signoff` and its sub-commands."""
    parser = sub.add_parser("signoff", help="list, pass, return or withdraw a reported done")
    actions = parser.add_subparsers(dest="signoff_action", metavar="ACTION", required=True)

    listing = actions.add_parser("list", help="what waits for sign-off (待验收)")
    listing.set_defaults(func=list_command)

    for name, text in (
        ("pass", "sign a reported done off (通过): the milestone is closed"),
        ("return", "return a reported done (退回) with --reason: it reopens"),
        ("withdraw", "withdraw a unit's own reported done (撤回) before sign-off"),
    ):
        action = actions.add_parser(name, help=text)
        action.add_argument("task", metavar="TASK", help="task id such as 2.3")
        action.add_argument("--unit", required=True, help="the unit that reported it done")
        action.add_argument("--by", default=OFFICE, help="who decides, as the ledger shows it")
        if name == "return":
            action.add_argument("--reason", required=True, help="what the unit must put right")
        action.set_defaults(func=step_command, verdict=name)


def list_command(args: argparse.Namespace, ctx: CliContext) -> int:
    """Print every reported done that waits for sign-off, one per line."""
    # Up to the end of the current minute, as `status` reads: with `--clock X` every command
    # starts its own clock at X, so a step made just before by another command is "later".
    now = ctx.clock.now().replace(second=0, microsecond=0) + timedelta(minutes=1, microseconds=-1)

    async def run() -> list[str]:
        from core import signoff
        from core.runtime import Core
        from scheduler.clock import FrozenClock
        from scheduler.leadership import evidence_words

        core = await Core.open(ctx.core_config(), FrozenClock(now))
        try:
            items = await signoff.waiting(core)
        finally:
            await core.close()
        tz = ctx.settings.tz
        lines = []
        for item in items:
            done = item.entry
            note = f' "{item.note}"' if item.note else ""
            when = item.first_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
            lines.append(
                f"{done.task_id} {done.unit}: done {when} by {done.reporter}{note}; "
                f"evidence {evidence_words(item.evidence)}"
            )
        return lines or ["nothing waits for sign-off"]

    for line in run_async(run()):
        print(line, file=ctx.out)
    return 0


def step_command(args: argparse.Namespace, ctx: CliContext) -> int:
    """Pass, return or withdraw one (task, unit)'s reported done."""
    by = Reporter(args.by.strip() or OFFICE, "cli")
    # Whole seconds, as `report` records: steps name their report, so order holds in a tie.
    at = ctx.clock.now().replace(microsecond=0)

    async def run() -> str:
        from core import signoff
        from core.runtime import Core
        from scheduler.clock import FrozenClock

        core = await Core.open(ctx.core_config(), FrozenClock(at))
        try:
            unit = core.units.resolve(args.unit)
            task_id = args.task.strip()
            if args.verdict == "withdraw":
                decided = await signoff.withdraw(core, unit, task_id, by=by)
                return f"withdrawn: {decided.entry.task_id} {unit}; reminders resume"
            report = await signoff.waiting_report(core, unit, task_id)
            if args.verdict == "pass":
                await signoff.sign_off(core, report.entry.id, by=by, leadership=True)
                return f"signed off: {report.entry.task_id} {unit}; the unit is told"
            await signoff.send_back(core, report.entry.id, args.reason, by=by, leadership=True)
            return f"returned: {report.entry.task_id} {unit}; the unit is told why"
        finally:
            await core.close()

    print(run_async(run()), file=ctx.out)
    return 0
