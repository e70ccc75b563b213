"""`duban plan show` and `duban plan check`: read the plan file and report on it."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cli.ledger_commands import register_plan_import

if TYPE_CHECKING:
    from cli.context import CliContext
    from plan_data.model import Milestone, Plan


def register(sub: Any) -> None:
    """Add the `plan` group: `show` and `check` here, `import` from the ledger commands."""
    plan = sub.add_parser("plan", help="read and check the work plan")
    plan_sub = plan.add_subparsers(dest="plan_command", metavar="ACTION", required=True)
    show = plan_sub.add_parser("show", help="print the parsed plan")
    show.add_argument("--plan", type=Path, metavar="FILE", help="plan file (.txt/.docx/.xlsx)")
    show.add_argument("--year", type=int, metavar="Y", help="plan year, if the text lacks it")
    show.add_argument("--json", action="store_true", help="print DESIGN's JSON")
    show.set_defaults(func=show_plan)
    check = plan_sub.add_parser("check", help="list the plan's problems; exit 1 if any")
    check.add_argument("--plan", type=Path, metavar="FILE", help="plan file (.txt/.docx/.xlsx)")
    check.add_argument("--year", type=int, metavar="Y", help="plan year, if the text lacks it")
    check.add_argument(
        "--units", metavar="A,B", help="the office's units; any other unit name is a problem"
    )
    check.set_defaults(func=check_plan_command)
    register_plan_import(plan_sub)


def _load(args: argparse.Namespace, ctx: CliContext) -> Plan:
    from plan_data import load_plan

    return load_plan(args.plan or ctx.settings.plan_path, getattr(args, "year", None))


def show_plan(args: argparse.Namespace, ctx: CliContext) -> int:
    """Print the parsed plan as a table or as JSON."""
    plan = _load(args, ctx)
    if args.json:
        from plan_data import plan_to_json

        print(json.dumps(plan_to_json(plan), ensure_ascii=False, indent=2), file=ctx.out)
        return 0
    print(
        f"{plan.title} ({plan.year}) · {len(plan.tasks)} tasks · units: " + "、".join(plan.units),
        file=ctx.out,
    )
    chapter = None
    for task in plan.tasks:
        if task.chapter != chapter:
            chapter = task.chapter
            print(f"\n{task.id.split('.')[0]} {chapter}", file=ctx.out)
        owners = "、".join(task.units) or "-"
        print(f"  {task.id:<7} {task.title}  [{owners}]", file=ctx.out)
        for milestone in task.milestones:
            print(f"          {describe_milestone(milestone)}", file=ctx.out)
        for target in task.targets:
            print(f"          target {target.text}", file=ctx.out)
    for warning in plan.warnings:
        print(f"warning: {warning}", file=ctx.err)
    return 0


def describe_milestone(milestone: Milestone) -> str:
    """Return a milestone as one short line, e.g. `deadline 2022-06-30 完成协议签署`."""
    action = f" {milestone.action}" if milestone.action else ""
    if milestone.kind == "event":
        after = f"{milestone.offset} {milestone.offset_unit} after" if milestone.offset else "on"
        return f"event {after} {milestone.event}{action}"
    if milestone.kind == "deadline":
        series = f" ({milestone.series})" if milestone.series else ""
        return f"deadline {milestone.end}{action}{series}"
    if milestone.kind == "period":
        return f"period {milestone.start}..{milestone.end}{action}"
    return f"ongoing from {milestone.start}{action}"


def check_plan_command(args: argparse.Namespace, ctx: CliContext) -> int:
    """List the plan's problems with line numbers; exit 1 if there are any."""
    from plan_data.check import check_plan
    from scheduler.calendar_check import plan_calendar_warnings

    plan = _load(args, ctx)
    known = [u.strip() for u in args.units.split(",") if u.strip()] if args.units else None
    problems = check_plan(plan, known)
    for problem in problems:
        text = f": {problem.text}" if problem.text else ""
        print(f"line {problem.line}: {problem.message}{text}", file=ctx.out)
    for warning in plan_calendar_warnings(plan, ctx.settings.policy_file):
        print(f"warning: {warning}", file=ctx.out)
    if problems:
        print(f"{len(problems)} problem(s) in {args.plan or ctx.settings.plan_path}", file=ctx.out)
        return 1
    print(f"ok: {len(plan.tasks)} tasks, {len(plan.units)} units, year {plan.year}", file=ctx.out)
    return 0
