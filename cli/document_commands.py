"""`duban notice`, `duban bulletin`, `duban summary`: the office's Word documents."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cli.context import run_async
from cli.report_commands import BadReportOption, parse_day

if TYPE_CHECKING:
    from cli.context import CliContext
    from reports.documents import Period
    from storage.database import Database


def register(sub: Any) -> None:
    """Add `notice`, `bulletin` and `summary`."""
    notice = sub.add_parser("notice", help="write a 督办通知单 (.docx) for an open item")
    notice.add_argument("task", metavar="TASK", help="task id such as 2.1")
    notice.add_argument("--unit", required=True, help="the unit responsible")
    notice.add_argument("--reply-by", metavar="DATE", help="反馈时限 (default: 3 workdays on)")
    _out(notice)
    notice.set_defaults(func=notice_command)

    bulletin = sub.add_parser("bulletin", help="write a 督查通报 (.docx) for a week or a month")
    when = bulletin.add_mutually_exclusive_group(required=True)
    when.add_argument("--week", metavar="DATE", help="any day of the week, e.g. 2022-06-27")
    when.add_argument("--month", metavar="YYYY-MM", help="a month, e.g. 2022-06")
    _out(bulletin)
    bulletin.set_defaults(func=bulletin_command)

    summary = sub.add_parser(
        "summary", help="write a 半年/年终 工作要点落实情况报告 (.docx), a draft to edit"
    )
    span = summary.add_mutually_exclusive_group(required=True)
    span.add_argument("--half", type=int, choices=[1, 2], help="上半年 (1) or 下半年 (2)")
    span.add_argument("--year-end", action="store_true", help="the whole year (年终)")
    summary.add_argument("--unit", help="one unit (default: the bureau)")
    summary.add_argument("--year", type=int, help="plan year (default: the plan's)")
    _out(summary)
    summary.set_defaults(func=summary_command)


def _out(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", metavar="FILE.docx", help="where to write (default: a name)")
    parser.add_argument("--issuer", help="落款 (default DUBAN_ISSUER or 督查督办办公室)")


async def _open(ctx: CliContext) -> Database:
    from storage.bootstrap import open_ledger

    return await open_ledger(ctx.database_url, ctx.settings.plan_path, ctx.clock.now())


async def _unit(db: Database, typed: str) -> str:
    from plan_data.units import UnitResolver
    from storage.plans import require_plan

    async with db.session(readonly=True) as session:
        plan = await require_plan(session)
    return UnitResolver(plan.units).resolve(typed)


def _write(args: argparse.Namespace, ctx: CliContext, body: bytes, default: str) -> int:
    target = Path(args.out or default)
    if not target.parent.is_dir():
        raise BadReportOption(f"cannot write {target}: folder {target.parent} does not exist")
    try:
        target.write_bytes(body)
    except OSError as exc:
        raise BadReportOption(f"cannot write {target}: {exc.strerror or exc}") from exc
    print(f"wrote {target}", file=ctx.out)
    return 0


def notice_command(args: argparse.Namespace, ctx: CliContext) -> int:
    """Write the 督办通知单 of one (task, unit)."""
    from reports.documents import notice_document

    reply_by = parse_day(args.reply_by, "--reply-by") if args.reply_by else None
    now = ctx.clock.now()

    async def run() -> tuple[str, bytes]:
        db = await _open(ctx)
        try:
            unit = await _unit(db, args.unit)
            body = await notice_document(
                db, args.task.strip(), unit, now, ctx.settings.tz,
                reply_by=reply_by, issuer=args.issuer or ctx.settings.issuer,
                templates_dir=ctx.settings.templates_dir,
            )  # fmt: skip
        finally:
            await db.close()
        return unit, body

    unit, body = run_async(run())
    return _write(args, ctx, body, f"督办通知单-{args.task.strip()}-{unit}.docx")


def bulletin_command(args: argparse.Namespace, ctx: CliContext) -> int:
    """Write the 督查通报 of a week or a month."""
    from reports.documents import bulletin_document, month_period, week_period

    try:
        period: Period = (
            month_period(args.month) if args.month else week_period(parse_day(args.week, "--week"))
        )
    except ValueError as exc:
        raise BadReportOption(f"--month: {exc}") from None
    now = ctx.clock.now()

    async def run() -> bytes:
        db = await _open(ctx)
        try:
            return await bulletin_document(
                db, period, now, ctx.settings.tz, issuer=args.issuer or ctx.settings.issuer,
                templates_dir=ctx.settings.templates_dir,
            )  # fmt: skip
        finally:
            await db.close()

    return _write(args, ctx, run_async(run()), f"督查通报-{period.label}.docx")


def summary_command(args: argparse.Namespace, ctx: CliContext) -> int:
    """Write the 落实情况报告 of a half-year or the year, for a unit or the bureau."""
    from reports.documents import half_period, summary_document, year_period
    from storage.plans import require_plan

    now = ctx.clock.now()

    async def run() -> tuple[str | None, Period, bytes]:
        db = await _open(ctx)
        try:
            unit = await _unit(db, args.unit) if args.unit else None
            async with db.session(readonly=True) as session:
                year = args.year or (await require_plan(session)).year
            period = half_period(year, args.half) if args.half else year_period(year)
            body = await summary_document(
                db, period, unit, now, ctx.settings.tz,
                issuer=args.issuer or ctx.settings.issuer,
                templates_dir=ctx.settings.templates_dir,
            )  # fmt: skip
        finally:
            await db.close()
        return unit, period, body

    unit, period, body = run_async(run())
    return _write(args, ctx, body, f"{unit or '全局'}{period.label}工作要点落实情况报告.docx")
