"""Build and run the Telegram Application: every update goes to the chat-neutral dialogue."""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from telegram import BotCommand, Update
from telegram.error import TelegramError
from telegram.ext import AIORateLimiter, Application, CallbackContext, ContextTypes, TypeHandler

from bot.dialogue import Acknowledge
from bot.router import Dialogue
from bot.telegram.channel import TelegramChannel
from bot.telegram.incoming import to_incoming

log = logging.getLogger(__name__)

TELEGRAM_BASE_URL = "https://api.telegram.org/bot"

MENU = [
    BotCommand("status", "进展：本科室、某科室或某项任务"),
    BotCommand("tasks", "本科室的全部任务"),
    BotCommand("upcoming", "近期到期事项，如 /upcoming 14"),
    BotCommand("overdue", "逾期事项"),
    BotCommand("report", "报告进展，如 /report 2.3 已签约3家"),
    BotCommand("history", "某项任务的全部记录"),
    BotCommand("withdraw", "撤回尚未验收的已完成，如 /withdraw 2.3"),
    BotCommand("digest", "督办周报（局领导）"),
    BotCommand("export", "导出督办台账（局领导）"),
    BotCommand("pause", "暂停某科室的提醒，如 /pause 社区科 至7月15日 原因（局领导）"),
    BotCommand("resume", "恢复某科室的提醒（局领导）"),
    BotCommand("bind", "用邀请码绑定本会话"),
    BotCommand("unbind", "解除绑定"),
    BotCommand("help", "使用说明"),
]


@dataclass(frozen=True)
class TelegramConfig:
    """How to reach Telegram and how to take updates (long polling, or a webhook)."""

    token: str
    api_base_url: str = TELEGRAM_BASE_URL
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


class Door:
    """What the one handler needs: the dialogue, and Telegram as its channel."""

    def __init__(self) -> None:
        self.dialogue: Dialogue | None = None
        self.channel: TelegramChannel | None = None


TelegramContext = CallbackContext[Any, dict[Any, Any], dict[Any, Any], Door]
TelegramApp = Application[Any, TelegramContext, dict[Any, Any], dict[Any, Any], Door, Any]


def build_application(config: TelegramConfig, dialogue: Dialogue) -> TelegramApp:
    """Return an Application whose every update goes to `dialogue`."""
    # Opt in to PTB 23's timedelta `retry_after` now: every 429 otherwise raises a
    # deprecation warning, and the channel already reads both forms.
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    builder = (
        Application.builder()
        .token(config.token)
        .base_url(config.api_base_url)
        .base_file_url(config.file_base_url)
        .context_types(ContextTypes(bot_data=Door))
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
    )
    app = cast(TelegramApp, builder.build())
    app.bot_data.dialogue = dialogue
    app.bot_data.channel = TelegramChannel(app.bot)
    app.add_handler(TypeHandler(Update, on_update))
    app.add_error_handler(on_error)
    return app


async def on_update(update: Update, context: TelegramContext) -> None:
    """Hand one update to the dialogue, with Telegram as the channel to answer through."""
    door = context.bot_data
    if door.dialogue is None or door.channel is None:
        return
    incoming = to_incoming(update, context.bot)
    if incoming is None:
        return
    acknowledge: Acknowledge | None = None
    query = update.callback_query
    if query is not None:

        async def acknowledge(text: str | None, alert: bool) -> None:
            await query.answer(text, show_alert=alert and bool(text))

    await door.dialogue.handle(incoming, door.channel, acknowledge)


async def on_error(update: object, context: TelegramContext) -> None:
    """Log what escaped the dialogue (network trouble while answering, mostly)."""
    log.error("update not handled", exc_info=context.error)


@asynccontextmanager
async def running(app: TelegramApp, config: TelegramConfig) -> AsyncIterator[TelegramApp]:
    """Run the application (long polling, or a webhook) inside a loop someone else owns."""
    await app.initialize()
    try:
        try:
            await app.bot.set_my_commands(MENU)
        except TelegramError as exc:
            # The menu is a convenience; the bot works without it.
            log.warning("command menu not registered: %s", exc)
        updater = app.updater
        if updater is None:
            raise RuntimeError("the application was built without an updater")
        allowed: Any = Update.ALL_TYPES
        if config.webhook_url:
            await updater.start_webhook(
                listen=config.webhook_listen,
                port=config.webhook_port,
                url_path="telegram",
                webhook_url=config.webhook_url.rstrip("/") + "/telegram",
                allowed_updates=allowed,
                # Telegram echoes this header on every post; anyone else is refused.
                secret_token=secrets.token_urlsafe(32),
            )
        else:
            await updater.start_polling(
                poll_interval=0,
                timeout=timedelta(seconds=config.poll_timeout),
                allowed_updates=allowed,
            )
        await app.start()
        try:
            yield app
        finally:
            if updater.running:
                await updater.stop()
            if app.running:
                await app.stop()
    finally:
        await app.shutdown()
