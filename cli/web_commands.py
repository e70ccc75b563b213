"""`duban web`: serve the board alone; `web link` prints a login URL; `web revoke` ends them."""

from __future__ import annotations

import argparse
import contextlib
import logging
import signal
from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from cli.context import run_async
from vocabulary import LEADERSHIP

if TYPE_CHECKING:
    from cli.context import CliContext
    from storage.database import Database
    from web.config import WebConfig


def web_config(ctx: CliContext) -> WebConfig:
    """Return the board's settings from the environment."""
    from scheduler.settings import load_settings
    from web.config import WebConfig

    settings = ctx.settings
    return WebConfig(
        rules=load_settings(settings.policy_file, settings.tz).status_rules(),
        public_url=settings.base_url,
        link_ttl=timedelta(hours=settings.web_link_hours),
        session_ttl=timedelta(days=settings.web_session_days),
        templates_dir=settings.templates_dir,
        evidence_dir=ctx.core_config().evidence_folder,
    )


def register(sub: Any) -> None:
    """Add `web`, `web link` and `web revoke`."""
    web = sub.add_parser(
        "web", help="serve the web board (看板) alone; `web link` makes a login link"
    )
    web.add_argument("--host", help="listen address (default DUBAN_HTTP_HOST, 127.0.0.1)")
    web.add_argument("--port", type=int, help="listen port (default DUBAN_HTTP_PORT, 8080)")
    web.set_defaults(func=serve_command)
    web_sub = web.add_subparsers(dest="web_command", metavar="WHAT")
    link = web_sub.add_parser("link", help="print a single-use login URL (last line)")
    target = link.add_mutually_exclusive_group(required=True)
    target.add_argument("unit", nargs="?", help="the unit whose pages the link opens")
    target.add_argument("--leadership", action="store_true", help="every page")
    link.set_defaults(func=link_command)
    end = web_sub.add_parser("revoke", help="end the board's sessions and unused links")
    scope = end.add_mutually_exclusive_group(required=True)
    scope.add_argument("unit", nargs="?", help="only this unit's")
    scope.add_argument("--leadership", action="store_true", help="only the leadership's")
    scope.add_argument("--all", action="store_true", help="everyone's")
    end.set_defaults(func=revoke_command)


async def _open(ctx: CliContext) -> Database:
    from storage.bootstrap import open_ledger

    return await open_ledger(ctx.database_url, ctx.settings.plan_path, ctx.clock.now())


async def _scope(db: Database, typed: str | None, leadership: bool) -> str:
    if leadership or typed is None:
        return LEADERSHIP
    from plan_data.units import UnitResolver
    from storage.plans import require_plan

    async with db.session(readonly=True) as session:
        plan = await require_plan(session)
    return UnitResolver(plan.units).resolve(typed)


def link_command(args: argparse.Namespace, ctx: CliContext) -> int:
    """Print who the link is for and until when, then the URL alone on the last line."""
    from web.auth import create_login_link

    config = web_config(ctx)
    now = ctx.clock.now()

    async def run() -> tuple[str, str, str]:
        db = await _open(ctx)
        try:
            scope = await _scope(db, args.unit, args.leadership)
            async with db.session() as session:
                token, expires_at = await create_login_link(session, scope, now, config.link_ttl)
        finally:
            await db.close()
        shown = expires_at.astimezone(ctx.settings.tz).strftime("%Y-%m-%d %H:%M")
        return scope, shown, config.login_url(token)

    scope, shown, url = run_async(run())
    who = "leadership (every page)" if scope == LEADERSHIP else f"{scope} (its own pages)"
    print(f"board link for {who}, single use, valid until {shown}:", file=ctx.out)
    print(url, file=ctx.out)
    return 0


def revoke_command(args: argparse.Namespace, ctx: CliContext) -> int:
    """End live sessions (and unused links) of a unit, the leadership or everyone."""
    from storage.web_access import revoke

    async def run() -> tuple[str, int]:
        db = await _open(ctx)
        try:
            scope = None if args.all else await _scope(db, args.unit, args.leadership)
            async with db.session() as session:
                return scope or "everyone", await revoke(session, ctx.clock.now(), scope)
        finally:
            await db.close()

    scope, ended = run_async(run())
    print(f"ended {ended} board session(s) of {scope}; unused links no longer open", file=ctx.out)
    return 0


def serve_command(args: argparse.Namespace, ctx: CliContext) -> int:
    """Serve the board until SIGINT or SIGTERM."""
    from web.app import serve_board

    host = args.host or ctx.settings.http_host
    port = args.port or ctx.settings.http_port
    config = web_config(ctx)
    if ctx.settings.public_url is None:
        config = replace(config, public_url=f"http://{host}:{port}")
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )

    import asyncio

    async def run() -> None:
        db = await _open(ctx)
        runner = await serve_board(db, ctx.clock, ctx.settings.tz, config, host, port)
        print(f"web board on http://{host}:{port}/ (links: {config.public_url})", file=ctx.out)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, stop.set)
        try:
            await stop.wait()
        finally:
            await runner.cleanup()
            await db.close()

    run_async(run())
    return 0
