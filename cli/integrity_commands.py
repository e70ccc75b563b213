"""`duban verify`, `duban backup DIR`, `duban restore FILE`: the ledger's integrity."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cli.context import run_async
from storage.errors import ToolMissing

if TYPE_CHECKING:
    from cli.context import CliContext
    from storage.verify import VerifyResult


def register(sub: Any) -> None:
    """Add `verify`, `backup` and `restore`."""
    verify = sub.add_parser("verify", help="check the ledger's hash chains; exit 1 on a break")
    verify.set_defaults(func=verify_command)

    back = sub.add_parser("backup", help="copy the ledger into DIR (SQLite online; pg_dump)")
    back.add_argument("dir", type=Path, metavar="DIR", help="where to put the backup file")
    back.set_defaults(func=backup_command)

    restore = sub.add_parser(
        "restore", help="check a backup (opens, migrates, verifies), then make it the ledger"
    )
    restore.add_argument("file", type=Path, metavar="FILE", help="a .db or .dump backup")
    restore.add_argument("--to", metavar="URL", help="target database (default: the ledger)")
    restore.add_argument(
        "--force", action="store_true", help="replace a ledger that already holds data"
    )
    restore.set_defaults(func=restore_command)


def verify_command(args: argparse.Namespace, ctx: CliContext) -> int:
    """Walk every chain; print the first break of each and a verdict; exit 1 on any break."""
    from storage.database import Database
    from storage.verify import verify_ledger

    async def run() -> VerifyResult:
        db = await Database.connect(ctx.database_url)
        try:
            async with db.session(readonly=True) as session:
                return await verify_ledger(session)
        finally:
            await db.close()

    result = run_async(run())
    print_verdict(result, ctx)
    return 0 if result.ok else 1


def print_verdict(result: VerifyResult, ctx: CliContext) -> None:
    """Print each break, a warning per unguarded table, and the one-line verdict."""
    for table in result.unguarded:
        print(
            f"warning: {table} no longer refuses UPDATE and DELETE (its trigger is missing)",
            file=ctx.err,
        )
    for found in result.breaks:
        print(found, file=ctx.out)
    print(result.summary(), file=ctx.out)


def backup_command(args: argparse.Namespace, ctx: CliContext) -> int:
    """Back up the ledger into DIR; without pg_dump, print the command to run by hand."""
    from storage import urls
    from storage.backup import backup

    try:
        path = run_async(backup(ctx.database_url, args.dir, ctx.clock.now()))
    except ToolMissing as exc:
        print(f"{exc.tool} is not on PATH; run this (password from PGPASSWORD):", file=ctx.err)
        print(exc.command, file=ctx.out)
        return 1
    print(f"backed up {urls.redact(ctx.database_url)} to {path}", file=ctx.out)
    return 0


def restore_command(args: argparse.Namespace, ctx: CliContext) -> int:
    """Check the backup FILE, then make it the ledger (one that holds data only with --force)."""
    from storage.backup import restore

    target = args.to or ctx.database_url
    try:
        done = run_async(restore(args.file, target, ctx.clock.now(), force=args.force))
    except ToolMissing as exc:
        print(f"{exc.tool} is not on PATH; run this (password from PGPASSWORD):", file=ctx.err)
        print(exc.command, file=ctx.out)
        return 1
    if done.kept is not None:
        print(f"the ledger it replaced is kept in {done.kept}", file=ctx.out)
    print(f"restored {args.file} into {done.target}", file=ctx.out)
    print(done.verified.summary(), file=ctx.out)
    return 0
