"""Build the Telegram Application: settings in, handlers wired, resources owned by its hooks."""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot import scheduling
from bot import sender as outbox
from bot.context import CONTEXT_TYPES, CustomContext, DubanApp
from bot.handlers import (
    answers,
    bind,
    decisions,
    leadership,
    lists,
    membership,
    report,
    start,
    status,
)
from bot.services import open_services
from scheduler.clock import Clock

log = logging.getLogger(__name__)

TELEGRAM_BASE_URL = "https://api.telegram.org/bot"


@dataclass(frozen=True)
class BotConfig:
    """Everything the bot needs to start; the CLI fills it from settings and options."""

    token: str
    database_url: str
    plan_path: Path
    api_base_url: str = TELEGRAM_BASE_URL
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))
    policy_file: Path | None = None
    # how often due outbox rows are looked for (seconds of real time)
    drain_interval: float = 1.0
    # run the scheduler service (a pass every minute and at the send times); tests drive
    # passes by hand instead
    run_scheduler: bool = True
    # an extra, quicker heartbeat of scheduler passes (seconds of real time; the sandbox)
    tick_interval: float | None = None
    # Telegram's flood limits; a benchmark may lift them to measure the bot itself
    overall_max_rate: float = 30
    group_max_rate: float = 20
    retries_after_429: int = 3
    poll_timeout: float = 10
    webhook_url: str | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443

    @property
    def file_base_url(self) -> str:
        """Return the file download base (…/bot → …/file/bot)."""
        base = self.api_base_url.rstrip("/")
        if base.endswith("/bot"):
            return base[: -len("/bot")] + "/file/bot"
        return base + "/file/bot"


def build_application(config: BotConfig, clock: Clock) -> DubanApp:
    """Return an Application with every handler wired; resources open in post_init."""
    # Opt in to PTB 23's timedelta `retry_after` now: every 429 otherwise raises a
    # deprecation warning, and the sender already reads both forms.
    os.environ.setdefault("PTB_TIMEDELTA", "1")

    async def post_init(app: DubanApp) -> None:
        """Open the ledger, start the scheduler, register the menu and the outbox job."""
        app.bot_data.services = await open_services(config, clock, app)
        try:
            await app.bot.set_my_commands(start.MENU)
        except TelegramError as exc:
            # The menu is a convenience; the bot works without it.
            log.warning("command menu not registered: %s", exc)
        jobs = app.job_queue
        if jobs is None:
            raise RuntimeError("the job queue is missing (install python-telegram-bot[job-queue])")
        jobs.run_repeating(outbox.drain_job, interval=config.drain_interval, first=0)
        if config.tick_interval is not None:
            jobs.run_repeating(scheduling.tick_job, interval=config.tick_interval, first=1)

    async def post_stop(app: DubanApp) -> None:
        """Stop the scheduler before the bot's connection closes."""
        if app.bot_data.services is not None:
            app.bot_data.services.stop_scheduler()

    async def post_shutdown(app: DubanApp) -> None:
        """Close the ledger."""
        services, app.bot_data.services = app.bot_data.services, None
        if services is not None:
            await services.close()

    builder = (
        Application.builder()
        .token(config.token)
        .base_url(config.api_base_url)
        .base_file_url(config.file_base_url)
        .context_types(CONTEXT_TYPES)
        .rate_limiter(
            AIORateLimiter(
                overall_max_rate=config.overall_max_rate,
                group_max_rate=config.group_max_rate,
                max_retries=config.retries_after_429,
            )
        )
        .connect_timeout(5)
        .read_timeout(10)
        .write_timeout(10)
        .pool_timeout(5)
        .get_updates_read_timeout(config.poll_timeout + 5)
        .post_init(post_init)
        .post_stop(post_stop)
        .post_shutdown(post_shutdown)
    )
    # The builder's type cannot follow context_types into the job queue's parameter.
    application = cast(DubanApp, builder.build())
    wire(application)
    return application


def wire(app: DubanApp) -> None:
    """Register every handler; the order matters where filters overlap."""
    # New messages only: an edited message is not a second answer or a second report.
    new = filters.UpdateType.MESSAGE

    def command(names: str | list[str], callback: Any) -> CommandHandler[CustomContext, None]:
        return CommandHandler(names, callback, filters=new)

    # 1. Button taps: answers to prompts and leadership decisions.
    app.add_handler(CallbackQueryHandler(decisions.on_decision, pattern=r"^x:"))
    app.add_handler(CallbackQueryHandler(answers.on_tap))
    # 2. Commands any chat may send: strangers learn how to bind and nothing else.
    app.add_handler(command(["start", "help"], start.on_start))
    app.add_handler(command("bind", bind.on_bind))
    app.add_handler(command("unbind", bind.on_unbind))
    # 3. Commands for bound chats (each checks the binding first).
    app.add_handler(command("status", status.on_status))
    app.add_handler(command("tasks", lists.on_tasks))
    app.add_handler(command("upcoming", lists.on_upcoming))
    app.add_handler(command("overdue", lists.on_overdue))
    app.add_handler(command("report", report.on_report))
    app.add_handler(command("history", report.on_history))
    app.add_handler(command("digest", leadership.on_digest))
    app.add_handler(command("export", leadership.on_export))
    app.add_handler(MessageHandler(new & filters.COMMAND, start.on_unknown_command))
    # 4. Plain messages: replies to questions and prompts, then evidence files.
    app.add_handler(MessageHandler(new & filters.TEXT & ~filters.COMMAND, answers.on_text))
    evidence = new & (filters.PHOTO | filters.Document.ALL)
    app.add_handler(MessageHandler(evidence, answers.on_evidence))
    # 5. The bot added to or removed from a chat.
    app.add_handler(ChatMemberHandler(membership.on_membership))
    # 6. Anything that escapes a handler is logged, and the person gets a calm sentence.
    app.add_error_handler(start.on_error)


@asynccontextmanager
async def running(app: DubanApp, *, poll_timeout: float = 10) -> AsyncIterator[DubanApp]:
    """Run the application with long polling inside an event loop that someone else owns."""
    await app.initialize()
    try:
        if app.post_init is not None:
            await app.post_init(app)
        updater = app.updater
        if updater is None:
            raise RuntimeError("the application was built without an updater")
        await updater.start_polling(poll_interval=0, timeout=timedelta(seconds=poll_timeout))
        await app.start()
        try:
            yield app
        finally:
            if updater.running:
                await updater.stop()
            if app.running:
                await app.stop()
                if app.post_stop is not None:
                    await app.post_stop(app)
    finally:
        await app.shutdown()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)


def run_forever(app: DubanApp, config: BotConfig) -> None:
    """Run until SIGINT or SIGTERM: long polling, or a webhook when one is configured."""
    allowed: Any = Update.ALL_TYPES
    if config.webhook_url:
        app.run_webhook(
            listen=config.webhook_listen,
            port=config.webhook_port,
            url_path="telegram",
            webhook_url=config.webhook_url.rstrip("/") + "/telegram",
            allowed_updates=allowed,
            # Telegram echoes this header on every post; anyone else who finds the URL is refused.
            secret_token=secrets.token_urlsafe(32),
        )
    else:
        app.run_polling(
            poll_interval=0,
            timeout=timedelta(seconds=config.poll_timeout),
            allowed_updates=allowed,
        )
