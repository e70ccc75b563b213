"""`duban run`, `duban sandbox` and `duban outbox failed`: the service, offline or live."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from cli.context import run_async
from cli.logs import FORMATS, setup_logging
from plan_data.errors import DubanError
from scheduler.heap import collector_paused

if TYPE_CHECKING:
    from bot.telegram.app import TelegramConfig
    from bot.wecom.door import WeComConfig
    from cli.context import CliContext
    from scheduler.clock import Clock
    from service.http import HttpConfig
    from storage.records import OutboxMessage


class NoChannel(DubanError):
    """`duban run` with no channel configured."""

    def __init__(self) -> None:
        super().__init__(
            "no chat channel is configured: set TELEGRAM_BOT_TOKEN (README: BotFather) or the "
            "WECOM_* settings (README: WeCom); `duban sandbox` runs everything offline"
        )


def register(sub: Any) -> None:
    """Add `run`, `sandbox` and `outbox failed`."""
    run = sub.add_parser("run", help="run the bot on every configured channel, and the scheduler")
    _clock_option(run)
    run.add_argument(
        "--log-format",
        choices=FORMATS,
        default="text",
        help="text (default) or json: one JSON object per line, for log shippers",
    )
    run.add_argument(
        "--log-level",
        choices=("debug", "info", "warning"),
        default="info",
        help="info (default) is quiet when nothing happens; debug shows every retry",
    )
    run.add_argument("--webhook", metavar="URL", help="receive Telegram updates on this URL")
    run.add_argument("--listen", default="127.0.0.1", help="Telegram webhook listen address")
    run.add_argument("--port", type=int, default=8443, help="Telegram webhook listen port")
    run.set_defaults(func=run_command)

    sandbox = sub.add_parser(
        "sandbox", help="the whole system offline: local chat emulator and a terminal chat"
    )
    _clock_option(sandbox, "default: a busy 2022 morning, half a minute before 09:00")
    sandbox.add_argument("--as", dest="unit", help="play this unit (default 社救科)")
    sandbox.add_argument(
        "--script", action="store_true", help="run the short scripted demo even on a terminal"
    )
    sandbox.add_argument(
        "--channel",
        choices=("telegram", "wecom"),
        default="telegram",
        help="which chat app to play (default telegram; wecom: 企业微信)",
    )
    sandbox.set_defaults(func=sandbox_command)

    box = sub.add_parser("outbox", help="messages the bot could not deliver")
    box_sub = box.add_subparsers(dest="outbox_command", metavar="WHAT", required=True)
    failed = box_sub.add_parser("failed", help="list messages given up on (bot removed, …)")
    failed.set_defaults(func=failed_command)


def _clock_option(parser: argparse.ArgumentParser, extra: str = "") -> None:
    hint = "start the service clock at this instant" + (f" ({extra})" if extra else "")
    parser.add_argument("--clock", dest="run_clock", metavar="ISO", help=hint)


def run_command(args: argparse.Namespace, ctx: CliContext) -> int:
    """Serve every configured channel until SIGINT or SIGTERM."""
    with collector_paused(freeze=True):
        from cli.web_commands import web_config
        from service.runner import RunConfig, run_until_stopped

        http = _http(ctx)
        config = RunConfig(
            ctx.core_config(),
            telegram=_telegram(args, ctx),
            wecom=_wecom(ctx),
            http=http,
            web=web_config(ctx),
        )
    if config.telegram is None and config.wecom is None:
        raise NoChannel
    clock: Clock = _clock(args.run_clock, ctx) if args.run_clock else ctx.clock
    settings = ctx.settings
    wecom = (settings.wecom_secret, settings.wecom_token, settings.wecom_encoding_aes_key)
    hidden = [settings.telegram_bot_token, *(s.value for s in wecom if s)]
    setup_logging(args.log_format, getattr(logging, args.log_level.upper()), secrets=hidden)
    served = [name for name, on in (("Telegram", config.telegram), ("WeCom", config.wecom)) if on]
    where = f"; WeCom callback on {http.url}/wecom/callback" if config.wecom else ""
    print(
        f"duban: serving {' and '.join(served)}; web board on {http.url}/{where}",
        file=ctx.err,
        flush=True,
    )
    run_until_stopped(config, clock)
    return 0


def _daily_backup(ctx: CliContext) -> tuple[Callable[[datetime], Awaitable[object]], ...]:
    """Return the daily backup chore (SQLite: beside the ledger unless DUBAN_BACKUP_DIR)."""
    directory = ctx.settings.daily_backup_dir
    if directory is None:
        return ()
    from storage.backup import backup_daily

    url, keep = ctx.database_url, ctx.settings.backup_keep

    async def backup(now: datetime) -> object:
        return await backup_daily(url, directory, now, keep)

    return (backup,)


def _telegram(args: argparse.Namespace, ctx: CliContext) -> TelegramConfig | None:
    """Return the Telegram channel's settings, or None without a token."""
    settings = ctx.settings
    if not settings.telegram_bot_token:
        return None
    from bot.telegram.app import TelegramConfig

    return TelegramConfig(
        token=settings.telegram_bot_token,
        api_base_url=settings.telegram_api_base_url,
        webhook_url=args.webhook,
        webhook_listen=args.listen,
        webhook_port=args.port,
    )


def _wecom(ctx: CliContext) -> WeComConfig | None:
    """Return the WeCom app's settings, or None unless every WECOM_* setting is there."""
    settings = ctx.settings
    corp, agent = settings.wecom_corp_id, settings.wecom_agent_id
    secret, token, key = (
        settings.wecom_secret,
        settings.wecom_token,
        settings.wecom_encoding_aes_key,
    )
    if not (corp and agent and secret and token and key):
        return None
    from bot.wecom.door import WeComConfig

    return WeComConfig(
        corp_id=corp,
        agent_id=agent,
        secret=secret.value,
        token=token.value,
        encoding_aes_key=key.value,
        api_base_url=settings.wecom_api_base_url,
    )


def _http(ctx: CliContext) -> HttpConfig:
    """Return where the service's HTTP server listens."""
    from service.http import HttpConfig

    return HttpConfig(ctx.settings.http_host, ctx.settings.http_port)


def sandbox_command(args: argparse.Namespace, ctx: CliContext) -> int:
    """Run bot, scheduler and a terminal chat against the local emulator."""
    from service.sandbox import DEFAULT_UNIT, default_clock, run_sandbox
    from service.sandbox_wecom import run_wecom_sandbox

    interactive = sys.stdin.isatty() and not args.script
    unit = _unit(ctx, args.unit or DEFAULT_UNIT)
    default = default_clock(unit, interactive)
    clock = _clock(args.run_clock or args.clock or ctx.settings.clock or default, ctx)
    run = run_wecom_sandbox if args.channel == "wecom" else run_sandbox
    return run_async(
        run(
            unit=unit,
            clock=clock,
            database_url=args.db,  # None: a throwaway SQLite file
            plan_path=ctx.settings.plan_path,
            tz=ctx.settings.tz,
            interactive=interactive,
            out=ctx.out,
        )
    )


def _unit(ctx: CliContext, typed: str) -> str:
    from plan_data import load_plan
    from plan_data.units import UnitResolver

    plan = load_plan(ctx.settings.plan_path)
    return UnitResolver(plan.units).resolve(typed)


def failed_command(args: argparse.Namespace, ctx: CliContext) -> int:
    """List the messages given up on, oldest first."""
    rows = run_async(_failed(ctx))
    if not rows:
        print("no failed messages", file=ctx.out)
        return 0
    for row in rows:
        failed_at = row.failed_at.astimezone(ctx.settings.tz) if row.failed_at else None
        when = failed_at.strftime("%Y-%m-%d %H:%M") if failed_at else "?"
        print(
            f"#{row.id} {when} chat {row.chat_id} ({row.recipient}) {row.kind}: {row.last_error}",
            file=ctx.out,
        )
    return 0


async def _failed(ctx: CliContext) -> list[OutboxMessage]:
    from storage import outbox
    from storage.bootstrap import open_ledger

    db = await open_ledger(ctx.database_url, ctx.settings.plan_path, ctx.clock.now())
    try:
        async with db.session() as session:
            return await outbox.failed(session)
    finally:
        await db.close()


def _clock(text: str, ctx: CliContext) -> Clock:
    from scheduler.clock import OffsetClock, parse_clock

    try:
        return OffsetClock(parse_clock(text, ctx.settings.tz))
    except ValueError as exc:
        raise DubanError(str(exc)) from exc
