"""`duban pause UNIT --until DATE --reason T` and `duban resume UNIT`: the office's terminal,
with the leadership's authority, through the same core action as 暂停 / 恢复 in chat."""

from __future__ import annotations

import argparse
from datetime import date
from typing import TYPE_CHECKING, Any

from cli.context import run_async

if TYPE_CHECKING:
    from cli.context import CliContext
    from core.pause import Pause

BY = "综合办（命令行）"


def register(sub: Any) -> None:
    """Add `pause` and `resume`."""
    pause = sub.add_parser(
        "pause",
        help="hold a unit's reminders and overdue counting for a period (deadlines stay)",
    )
    pause.add_argument("unit", help="the unit, e.g. 社区科")
    pause.add_argument(
        "--until", required=True, metavar="DATE", help="the last paused day (2022-07-15, 7月15日)"
    )
    pause.add_argument("--reason", required=True, help="why, as the rows will show it")
    pause.add_argument(
        "--from", dest="first", metavar="DATE", help="the first paused day (default: today)"
    )
    pause.set_defaults(func=pause_command)

    resume = sub.add_parser("resume", help="end a unit's pause (or cancel a planned one)")
    resume.add_argument("unit", help="the unit, e.g. 社区科")
    resume.add_argument(
        "--from", dest="first", metavar="DATE", help="the first day of reminders again (today)"
    )
    resume.set_defaults(func=resume_command)


def pause_command(args: argparse.Namespace, ctx: CliContext) -> int:
    """Pause a unit and say until when."""
    from core import pause
    from core.runtime import Core
    from plan_data.dates import read_date

    async def run() -> Pause:
        core = await Core.open(ctx.core_config(), ctx.clock)
        try:
            local = core.now().astimezone(core.tz)
            first = read_date(args.first, local) if args.first else None
            last = read_date(args.until, local)
            return await pause.pause_unit(
                core, pause.OFFICE, args.unit, last, reason=args.reason, by=BY, first=first
            )
        finally:
            await core.close()

    held = run_async(run())
    print(
        f"paused {held.unit} from {held.first.isoformat()} to {held.last.isoformat()} "
        f"({held.reason}): no reminders, overdue not counted; deadlines unchanged",
        file=ctx.out,
    )
    return 0


def resume_command(args: argparse.Namespace, ctx: CliContext) -> int:
    """End a unit's pause and say which one."""
    from core import pause
    from core.runtime import Core
    from plan_data.dates import read_date

    async def run() -> tuple[Pause, date]:
        core = await Core.open(ctx.core_config(), ctx.clock)
        try:
            local = core.now().astimezone(core.tz)
            first = read_date(args.first, local) if args.first else core.today()
            ended = await pause.resume_unit(core, pause.OFFICE, args.unit, by=BY, first=first)
            return ended, first
        finally:
            await core.close()

    ended, first = run_async(run())
    period = f"{ended.first.isoformat()} to {ended.last.isoformat()}"
    if ended.first > first:
        print(f"cancelled the pause of {ended.unit} planned {period}", file=ctx.out)
    else:
        print(f"resumed {ended.unit} from {first.isoformat()} (paused {period})", file=ctx.out)
    return 0
