"""`duban verify`, `duban backup DIR`, `duban restore FILE`: the ledger's integrity."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from cli.context import CliContext
from storage.database import Database
from storage.verify import VerifyResult, verify_ledger


def register(sub: Any) -> None:
    """Add `verify`."""
    verify = sub.add_parser("verify", help="check the ledger's hash chains; exit 1 on a break")
    verify.set_defaults(func=verify_command)


def verify_command(args: argparse.Namespace, ctx: CliContext) -> int:
    """Walk every chain; print the first break of each and a verdict; exit 1 on any break."""

    async def run() -> VerifyResult:
        db = await Database.connect(ctx.database_url)
        try:
            async with db.session(readonly=True) as session:
                return await verify_ledger(session)
        finally:
            await db.close()

    result = asyncio.run(run())
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
