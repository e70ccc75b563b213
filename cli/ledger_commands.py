"""`duban plan import`, `duban invite`, `duban report`, `duban status`: the ledger by hand."""

from __future__ import annotations

import argparse
import json
import unicodedata
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cli.context import run_async
from core.actor import Reporter
from plan_data.errors import DubanError
from storage.errors import InvalidPercent
from vocabulary import LEADERSHIP, LIGHT_ICONS, progress_words, reason_words

if TYPE_CHECKING:
    from cli.context import CliContext
    from core.extensions import ExtensionFiled
    from storage.database import Database
    from storage.records import StatusRow

CLI = Reporter("cli", "cli")


class BadOption(DubanError):
    """A command-line value that cannot be used."""


def register(sub: Any) -> None:
    """Add `invite`, `report` and `status` (`plan import` is added by the plan group)."""
    invite = sub.add_parser("invite", help="make a one-time code that binds a chat")
    target = invite.add_mutually_exclusive_group(required=True)
    target.add_argument("unit", nargs="?", help="the unit the chat will report for")
    target.add_argument("--leadership", action="store_true", help="bind the leadership chat")
    invite.add_argument(
        "--level",
        type=int,
        choices=(1, 2),
        default=1,
        help="with --leadership: 1 分管领导 (default), 2 主要领导 (digest, later escalations)",
    )
    invite.set_defaults(func=invite_command)

    report = sub.add_parser("report", help="record progress on a task for a unit")
    report.add_argument("task", metavar="TASK", help="task id such as 2.3")
    report.add_argument("--unit", required=True, help="the reporting unit")
    report.add_argument("--status", required=True, help="in_progress, done, blocked, extension")
    report.add_argument("--note", help="a short note")
    report.add_argument("--percent", metavar="N", help="percent done, 0-100")
    report.add_argument("--date", metavar="D", help="an extension's new date (7月15日, 下周五, …)")
    report.add_argument(
        "--milestone",
        type=int,
        metavar="N",
        help="the task's Nth milestone: the deadline an extension moves (default: the nearest"
        " open deadline), or the one a report is about (default: all; for a recurring deadline,"
        " its earliest open occurrence)",
    )
    report.add_argument(
        "--event",
        metavar="DATE",
        help="the day the event a milestone waits for happened (印发之日起…: 2022-03-05)",
    )
    report.add_argument("--at", metavar="ISO", help="when it happened (default: now)")
    report.set_defaults(func=report_command)

    status = sub.add_parser("status", help="what /status shows: a row per task and unit")
    status.add_argument("unit", nargs="?", help="only this unit")
    status.add_argument("--json", action="store_true", help="print DESIGN's JSON")
    status.set_defaults(func=status_command)


def register_plan_import(plan_sub: Any) -> None:
    """Add `plan import` to the plan group."""
    parser = plan_sub.add_parser("import", help="load or reload the plan; history is kept")
    parser.add_argument("--plan", type=Path, metavar="FILE", help="plan file (.txt/.docx/.xlsx)")
    parser.add_argument("--year", type=int, metavar="Y", help="plan year, if the text lacks it")
    parser.set_defaults(func=plan_import_command)


def plan_import_command(args: argparse.Namespace, ctx: CliContext) -> int:
    """Load the plan file into the ledger, keeping every entry."""
    from plan_data import load_plan
    from storage.database import Database
    from storage.plans import import_plan

    plan = load_plan(args.plan or ctx.settings.plan_path, args.year)
    now = ctx.clock.now()

    async def run() -> str:
        db = await Database.connect(ctx.database_url)
        try:
            async with db.session() as session:
                result = await import_plan(session, plan, now)
        finally:
            await db.close()
        if not result.changed:
            return f"plan unchanged: {plan.title} ({plan.year}), {len(plan.tasks)} tasks"
        line = (
            f"imported plan {plan.title} ({plan.year}): {len(plan.tasks)} tasks, "
            f"{len(plan.units)} units; {len(result.added)} new, {result.kept} kept"
        )
        if result.archived:
            line += f", archived {', '.join(result.archived)}"
        return line

    print(run_async(run()), file=ctx.out)
    return 0


def invite_command(args: argparse.Namespace, ctx: CliContext) -> int:
    """Print a one-time invite code (alone on the last line)."""
    from plan_data.units import UnitResolver
    from storage.invites import create_invite
    from storage.plans import require_plan

    now = ctx.clock.now()
    if args.level != 1 and not args.leadership:
        raise BadOption("--level is a leadership level: use it with --leadership")

    async def run() -> tuple[str, str, datetime]:
        db = await _open(ctx)
        try:
            async with db.session() as session:
                unit = None
                if not args.leadership:
                    plan = await require_plan(session)
                    unit = UnitResolver(plan.units).resolve(args.unit)
                invite = await create_invite(session, unit, now, level=args.level)
        finally:
            await db.close()
        target = invite.unit or LEADERSHIP
        if invite.unit is None and invite.level != 1:
            target += f" (level {invite.level})"
        return invite.code, target, invite.expires_at

    code, target, expires_at = run_async(run())
    shown = expires_at.astimezone(ctx.settings.tz).strftime("%Y-%m-%d %H:%M")
    print(f"invite for {target}, valid until {shown}; send /bind CODE in the chat:", file=ctx.out)
    print(code, file=ctx.out)
    return 0


def report_command(args: argparse.Namespace, ctx: CliContext) -> int:
    """Record one progress entry (or file an extension request) through the core's rules."""
    from storage.progress import parse_status

    status = parse_status(args.status)
    percent = _percent(args.percent)
    # Whole seconds: with `--clock X` every command's clock starts at X, so two reports made
    # one after the other would otherwise be ordered by microseconds of start-up; at equal
    # times the later entry wins (status breaks ties by entry id).
    at = _instant(args.at, ctx) if args.at else ctx.clock.now().replace(microsecond=0)
    if status == "extension" and not args.date:
        raise BadOption("status extension needs --date with the requested new date")
    if status != "extension" and args.date:
        raise BadOption("--date is the new date of an extension: use --status extension")
    event_day = _day(args.event, "--event") if args.event else None
    if event_day is not None and status == "extension":
        raise BadOption("--event reports that an event happened: use another status")

    async def run() -> str:
        from core import extensions, progress, queries
        from core.runtime import Core

        core = await Core.open(ctx.core_config(), ctx.clock)
        try:
            unit = core.units.resolve(args.unit)
            task_id = args.task.strip()
            milestone_id = None
            if args.milestone is not None:
                milestone_id = await queries.milestone_id(core, task_id, args.milestone)
            if status == "extension":
                filed = await extensions.request_extension(
                    core, unit, task_id, args.date, by=CLI, reason=args.note,
                    milestone_id=milestone_id, at=at,
                )  # fmt: skip
                return _filed_line(filed)
            entry = await progress.report(
                core, unit, task_id, status, by=CLI, note=args.note, percent=percent, at=at,
                milestone_id=milestone_id, event_day=event_day,
            )  # fmt: skip
        finally:
            await core.close()
        line = f"recorded entry {entry.id}: {entry.task_id} {entry.unit} {entry.status}"
        if entry.readings:
            parts = [(p.what, p.unit, p.target, p.value) for p in entry.readings]
            line += f"; progress {progress_words(parts)}"
        for event in entry.events:
            line += (
                f"; {event.event or 'event'} on {event.event_day.isoformat()}:"
                f" due {event.due.isoformat()}"
            )
        return line

    print(run_async(run()), file=ctx.out)
    return 0


def _filed_line(filed: ExtensionFiled) -> str:
    """Say which deadline an extension request moves, and to when."""
    request, milestone = filed.request, filed.milestone
    action = f" ({milestone.action})" if milestone.action else ""
    old = request.old_date.isoformat() if request.old_date else "?"
    line = (
        f"extension requested: {request.task_id} {request.unit}, deadline{action} "
        f"{old} -> {request.new_date.isoformat()}; waiting for leadership"
    )
    if filed.chosen:
        line += " (the nearest open deadline; --milestone N picks another)"
    return line


def status_command(args: argparse.Namespace, ctx: CliContext) -> int:
    """Print a row per (task, unit) with its light, as a table or DESIGN's JSON."""
    # Up to the end of the current minute: with `--clock X` every command starts its own
    # clock at X, so a report made just before by another command is a few ms "later".
    now = ctx.clock.now().replace(second=0, microsecond=0) + timedelta(minutes=1, microseconds=-1)

    async def run() -> tuple[str | None, list[StatusRow]]:
        from core import queries
        from core.runtime import Core
        from scheduler.clock import FrozenClock

        core = await Core.open(ctx.core_config(), FrozenClock(now))
        try:
            unit = core.units.resolve(args.unit) if args.unit else None
            return unit, await queries.rows(core, unit, counted=True)
        finally:
            await core.close()

    unit, rows = run_async(run())
    if args.json:
        print(json.dumps(status_json(unit, rows, ctx), ensure_ascii=False, indent=2), file=ctx.out)
    else:
        for line in status_table(rows, ctx):
            print(line, file=ctx.out)
    return 0


def status_json(unit: str | None, rows: list[StatusRow], ctx: CliContext) -> dict[str, Any]:
    """Return DESIGN's status JSON."""
    return {
        "unit": unit,
        "tasks": [
            {
                "id": row.task_id,
                "unit": row.unit,
                "title": row.title,
                "light": row.light,
                "status": row.status,
                "note": row.note,
                "updated_at": (
                    row.updated_at.astimezone(ctx.settings.tz).isoformat()
                    if row.updated_at
                    else None
                ),
                "next_due": row.next_due.isoformat() if row.next_due else None,
                "entries": row.entries,
                "reason": _reason(row),
                "flags": list(row.flags),
                "silent_days": row.silent_days,
                "paused": (
                    {"until": row.paused.until.isoformat(), "reason": row.paused.reason}
                    if row.paused
                    else None
                ),
                "signoff": row.signoff,
                "progress": [
                    {
                        "what": p.what,
                        "unit": p.unit,
                        "target": p.target,
                        "value": p.value,
                        "share": round(p.share, 4),
                    }
                    for p in row.progress
                ],
                "pace": (
                    {
                        "expected": round(row.pace.expected, 4),
                        "reported": round(row.pace.reported, 4),
                        "behind": row.pace.behind,
                        "from": row.pace.start.isoformat(),
                        "due": row.pace.due.isoformat(),
                    }
                    if row.pace
                    else None
                ),
                "waiting": list(row.waiting),
            }
            for row in rows
        ],
    }


def _targets(row: StatusRow) -> str:
    """Return a row's progress against its targets, as /status shows it (3/5家)."""
    if not row.progress:
        return ""
    parts = [(p.what, p.unit, p.target, p.value) for p in row.progress]
    pace = f" (pace {round(row.pace.expected * 100)}%)" if row.pace else ""
    return f"  {progress_words(parts)}{pace}"


def _reason(row: StatusRow) -> str | None:
    """Return why a row has its light, in the words /status shows."""
    if row.reason is None:
        return None
    return reason_words(row.reason.kind, row.reason.due, row.reason.note)


def status_table(rows: list[StatusRow], ctx: CliContext) -> list[str]:
    """Return the status rows as readable lines."""
    if not rows:
        return ["no tasks"]
    lines = []
    for row in rows:
        due = row.next_due.isoformat() if row.next_due else "-"
        status = row.status or "not started"
        why = f"  [{_reason(row)}]" if row.reason else ""
        flags = "".join(f" ({flag})" for flag in row.flags)
        lines.append(
            f"{LIGHT_ICONS[row.light]} {row.task_id:<6} {_pad(row.unit, 10)} {status:<12} "
            f"due {due:<10} {row.entries:>4} entries  {row.title}{why}{flags}{_targets(row)}"
        )
    counts = {light: sum(r.light == light for r in rows) for light in LIGHT_ICONS}
    lines.append(
        f"{len(rows)} rows: "
        + ", ".join(f"{counts[light]} {light}" for light in LIGHT_ICONS)
        + f" (as of {ctx.clock.now().astimezone(ctx.settings.tz):%Y-%m-%d %H:%M})"
    )
    return lines


def _pad(text: str, width: int) -> str:
    """Pad to a terminal width, counting CJK characters as two columns."""
    used = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(0, width - used)


async def _open(ctx: CliContext) -> Database:
    from storage.bootstrap import open_ledger

    return await open_ledger(ctx.database_url, ctx.settings.plan_path, ctx.clock.now())


def _percent(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        value = int(text.strip().rstrip("%"))
    except ValueError:
        raise BadOption(f"percent must be a whole number from 0 to 100, not '{text}'") from None
    if not 0 <= value <= 100:
        raise InvalidPercent(value)
    return value


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise BadOption(f"{option} must be a date such as 2022-03-05, not '{text}'") from None


def _instant(text: str, ctx: CliContext) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise BadOption(
            f"--at must be an ISO date-time such as 2022-06-30T10:00, not '{text}'"
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=ctx.settings.tz)
