"""`duban digest` and `duban export`: leadership's weekly digest and the ledger (台账)."""

from __future__ import annotations

import argparse
import json
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cli.context import run_async
from plan_data.errors import DubanError

if TYPE_CHECKING:
    from cli.context import CliContext
    from core.evidence_export import EvidenceExport
    from reports.ledger_xlsx import LedgerSummary
    from reports.model import Digest
    from storage.status import StatusRules


class BadReportOption(DubanError):
    """A date or file given to digest/export that cannot be used."""


def parse_day(text: str, option: str) -> date:
    """Read an ISO date (2022-07-04) given to an option, or raise BadReportOption."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise BadReportOption(
            f"{option}: cannot read {text!r} as a date; write it as YYYY-MM-DD, e.g. 2022-07-04"
        ) from None


def register(subparsers: Any) -> None:
    """Add the digest and export sub-commands."""
    digest = subparsers.add_parser(
        "digest", help="the weekly digest for leadership, as of the week's first workday 09:00"
    )
    digest.add_argument("--week-of", metavar="DATE", help="any day of the week (default: today)")
    digest.add_argument("--json", action="store_true", help="print DESIGN's JSON")
    digest.add_argument("--chart", metavar="FILE.png", help="also write the status chart")
    digest.set_defaults(func=run_digest)

    export = subparsers.add_parser(
        "export",
        help="write the ledger (台账) as an Excel workbook, or a folder per task with its files",
    )
    export.add_argument("--xlsx", metavar="FILE", help="the .xlsx file to write")
    export.add_argument(
        "--evidence",
        metavar="DIR",
        help="write a folder per task: its 台账 rows and entries (.xlsx), its evidence files "
        "and a list of them (for 巡察 and 审计)",
    )
    export.add_argument(
        "--force", action="store_true", help="with --evidence: write into a non-empty folder"
    )
    export.add_argument("--from", dest="date_from", metavar="DATE", help="entries from this day")
    export.add_argument("--to", dest="date_to", metavar="DATE", help="entries up to this day")
    export.set_defaults(func=run_export)


def run_digest(args: argparse.Namespace, ctx: CliContext) -> int:
    """Print the digest (text or JSON) and optionally write its chart."""
    from reports.digest import digest_instant, digest_json, render_digest

    now = ctx.clock.now()
    today = now.astimezone(ctx.settings.tz).date()
    day = parse_day(args.week_of, "--week-of") if args.week_of else today
    as_of = digest_instant(day, ctx.settings.tz)
    digest = run_async(_digest(ctx, now, as_of))
    if args.chart:
        from reports.chart import render_chart  # matplotlib: loaded only when a chart is drawn

        _write(Path(args.chart), render_chart(digest))
        print(f"chart written to {args.chart}", file=ctx.err)
    if args.json:
        print(json.dumps(digest_json(digest), ensure_ascii=False, indent=2), file=ctx.out)
    else:
        print(render_digest(digest), file=ctx.out)
    return 0


def run_export(args: argparse.Namespace, ctx: CliContext) -> int:
    """Write the ledger workbook and say what it holds."""
    date_from = parse_day(args.date_from, "--from") if args.date_from else None
    date_to = parse_day(args.date_to, "--to") if args.date_to else None
    if date_from and date_to and date_from > date_to:
        raise BadReportOption(f"--from {date_from} is after --to {date_to}")
    if args.xlsx is None and args.evidence is None:
        raise BadReportOption("say what to write: --xlsx FILE, --evidence DIR, or both")
    if args.force and args.evidence is None:
        raise BadReportOption("--force goes with --evidence DIR")
    status = 0
    if args.xlsx is not None:
        target = Path(args.xlsx)
        if not target.parent.is_dir():
            raise BadReportOption(f"cannot write {target}: folder {target.parent} does not exist")
        summary = run_async(_export(ctx, target, date_from, date_to))
        print(f"wrote {target}: {summary.rows} rows, {summary.entries} entries", file=ctx.out)
    if args.evidence is not None:
        status = _export_evidence(ctx, Path(args.evidence), date_from, date_to, args.force)
    return status


def _export_evidence(
    ctx: CliContext, folder: Path, date_from: date | None, date_to: date | None, force: bool
) -> int:
    """Write the folder per task; exit 1 when a kept file is missing from the store."""
    from core.evidence_export import export_evidence
    from core.runtime import Core

    async def run() -> tuple[EvidenceExport, Path]:
        core = await Core.open(ctx.core_config(), ctx.clock)
        try:
            done = await export_evidence(
                core, folder, date_from=date_from, date_to=date_to, force=force
            )
            return done, core.evidence.root
        finally:
            await core.close()

    done, store = run_async(run())
    print(
        f"wrote {folder}: {done.tasks} task folders, {done.entries} entries, "
        f"{done.files} evidence files",
        file=ctx.out,
    )
    if done.chat_only:
        print(
            f"note: {done.chat_only} attachments were sent before files were kept and exist "
            "only in the chat; they are listed as such",
            file=ctx.err,
        )
    if done.missing:
        print(
            f"error: {len(done.missing)} evidence files recorded in the ledger are missing "
            f"from {store} (DUBAN_EVIDENCE_DIR); they are listed as missing",
            file=ctx.err,
        )
        return 1
    return 0


async def _digest(ctx: CliContext, now: datetime, as_of: datetime) -> Digest:
    from reports.source import build_digest
    from storage.bootstrap import open_ledger

    db = await open_ledger(ctx.database_url, ctx.settings.plan_path, now)
    try:
        return await build_digest(db, as_of, ctx.settings.tz, _rules(ctx))
    finally:
        await db.close()


async def _export(
    ctx: CliContext, target: Path, date_from: date | None, date_to: date | None
) -> LedgerSummary:
    from reports.ledger_xlsx import write_ledger
    from storage.bootstrap import open_ledger

    now = ctx.clock.now()
    db = await open_ledger(ctx.database_url, ctx.settings.plan_path, now)
    try:
        return await write_ledger(
            db, target, now, date_from, date_to, ctx.settings.tz, _rules(ctx)
        )
    except OSError as exc:
        raise BadReportOption(f"cannot write {target}: {exc.strerror or exc}") from exc
    finally:
        await db.close()


def _rules(ctx: CliContext) -> StatusRules:
    """Return what the lights weigh, from the policy settings (DUBAN_SETTINGS)."""
    from scheduler.settings import load_settings

    return load_settings(ctx.settings.policy_file, ctx.settings.tz).status_rules()


def _write(path: Path, data: bytes) -> None:
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise BadReportOption(f"cannot write {path}: {exc.strerror or exc}") from exc
