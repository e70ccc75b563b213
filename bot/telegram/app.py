"""Build and run the Telegram Application: every update goes to the chat-neutral dialogue.

Updates of one chat are handled in order, different chats at once: a slow answer in one
chat (a long send, a 429 wait, the ledger being retried) never holds up another chat.

Telegram being unreachable is an outage, not a crash: start-up waits for the API with backoff,
and an outage is one WARNING when it starts and one INFO when it ends. A rejected token is one
clear error that never shows the token.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

import httpx
from telegram import BotCommand, Update
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import (
    Application,
    BaseUpdateProcessor,
    CallbackContext,
    ContextTypes,
    TypeHandler,
)
from telegram.request import RequestData

from bot.dialogue import Acknowledge
from bot.router import Dialogue
from bot.telegram.channel import TelegramChannel, mapped
from bot.telegram.incoming import to_incoming
from bot.telegram.pacing import PacedLimiter, telegram_limits
from bot.telegram.transport import AiohttpRequest
from core.errors import DubanError
from core.health import Outage

log = logging.getLogger(__name__)

# Updates handled at once across chats (one at a time within a chat).
CONCURRENT_UPDATES = 64
# Waits (seconds) between attempts to reach the API at start-up; the last repeats.
REACH_DELAYS = (1.0, 2.0, 4.0, 8.0, 15.0, 30.0, 60.0)


class TokenRefused(DubanError):
    """Telegram refused the bot token (401 on getMe)."""

    def __init__(self) -> None:
        super().__init__(
            "Telegram refused the bot token (TELEGRAM_BOT_TOKEN): check it with @BotFather"
        )


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
    # Telegram's flood limits (messages a second overall, a minute to one group, a second to
    # one private chat), paced without bursts; 0 lifts one (a benchmark measuring the bot)
    overall_max_rate: float = 30
    group_max_rate: float = 20
    private_max_rate: float = 1
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
        self.outage: Outage | None = None


TelegramContext = CallbackContext[Any, dict[Any, Any], dict[Any, Any], Door]
TelegramApp = Application[Any, TelegramContext, dict[Any, Any], dict[Any, Any], Door, Any]


class TrackedRequest(AiohttpRequest):
    """The bot's HTTP client, telling an outage of the API (no answer at all) to an `Outage`."""

    def __init__(self, outage: Outage, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._outage = outage

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> tuple[int, bytes]:
        """Make the call; note whether the API answered."""
        try:
            answer = await super().do_request(url, method, request_data, *args, **kwargs)
        except NetworkError as exc:  # TimedOut too: no answer from the API
            self._outage.failed(exc)
            raise
        self._outage.ok()
        return answer


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Handle updates of one chat in the order they came, and different chats at once."""

    def __init__(self, max_concurrent_updates: int = CONCURRENT_UPDATES) -> None:
        super().__init__(max_concurrent_updates)
        self._turns: dict[object, tuple[asyncio.Lock, int]] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for the chat's earlier updates, then handle this one."""
        chat = update.effective_chat if isinstance(update, Update) else None
        key: object = chat.id if chat is not None else None
        lock, users = self._turns.get(key, (asyncio.Lock(), 0))
        self._turns[key] = (lock, users + 1)
        try:
            async with lock:
                await coroutine
        finally:
            lock, users = self._turns[key]
            if users <= 1:
                del self._turns[key]
            else:
                self._turns[key] = (lock, users - 1)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""


def rate_limiter(config: TelegramConfig) -> PacedLimiter:
    """Return the bot's one limiter: every message it sends, at the configured pace."""
    limits = telegram_limits(
        config.overall_max_rate, config.group_max_rate, config.private_max_rate
    )
    return PacedLimiter(limits, config.retries_after_429)


def build_application(config: TelegramConfig, dialogue: Dialogue) -> TelegramApp:
    """Return an Application whose every update goes to `dialogue`."""
    # Opt in to PTB 23's timedelta `retry_after` now: every 429 otherwise raises a
    # deprecation warning, and the channel already reads both forms.
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    outage = Outage("the Telegram API", log, after=3)
    # Both clients trust what httpx, PTB's default client, trusts (certifi, or SSL_CERT_FILE /
    # SSL_CERT_DIR) through one TLS context: loading the CA bundle costs tens of milliseconds.
    common: dict[str, Any] = {
        "connect_timeout": 5.0,
        "write_timeout": 10.0,
        "pool_timeout": 5.0,
        "tls": httpx.create_ssl_context(),
    }
    builder = (
        Application.builder()
        .token(config.token)
        .base_url(config.api_base_url)
        .base_file_url(config.file_base_url)
        .context_types(ContextTypes(bot_data=Door))
        .rate_limiter(rate_limiter(config))
        .request(TrackedRequest(outage, read_timeout=10.0, **common))
        # PTB adds the long poll's own timeout to this one.
        .get_updates_request(
            TrackedRequest(outage, connection_pool_size=1, read_timeout=5.0, **common)
        )
        .concurrent_updates(ChatOrderedProcessor())
    )
    app = cast(TelegramApp, builder.build())
    app.bot_data.dialogue = dialogue
    app.bot_data.channel = TelegramChannel(app.bot)
    app.bot_data.outage = outage
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
            # Telegram's errors as the channel's, so the dialogue retries or reports them.
            await mapped(lambda: query.answer(text, show_alert=alert and bool(text)))

    await door.dialogue.handle(incoming, door.channel, acknowledge)


async def on_error(update: object, context: TelegramContext) -> None:
    """Log what escaped the dialogue: Telegram's trouble in one line, a bug with its trace."""
    error = context.error
    which = update.update_id if isinstance(update, Update) else "?"
    if isinstance(error, TelegramError):
        log.warning("update %s: Telegram did not take the answer: %s", which, error)
        return
    log.error("update %s not handled", which, exc_info=error)


def _polling_error(error: TelegramError) -> None:
    """Polling's own failures: the outage is logged by the request; only the rest is news."""
    if isinstance(error, NetworkError):
        log.debug("polling: %s", error)
    else:
        log.warning("polling: %s", error)


async def reach(app: TelegramApp) -> None:
    """Reach the API (getMe) before anything else, retrying with backoff while it is away.

    A rejected token ends it with `TokenRefused`, which never carries the token.
    """
    delays = iter(REACH_DELAYS)
    delay = REACH_DELAYS[0]
    while True:
        try:
            await app.bot.initialize()
        except InvalidToken:
            # PTB's message carries the token itself: never let it out.
            raise TokenRefused from None
        except NetworkError as exc:
            log.debug("getMe: %s; trying again in %.0f s", type(exc).__name__, delay)
            await asyncio.sleep(delay)
            delay = next(delays, delay)
            continue
        return


@asynccontextmanager
async def running(app: TelegramApp, config: TelegramConfig) -> AsyncIterator[TelegramApp]:
    """Run the application (long polling, or a webhook) inside a loop someone else owns."""
    try:
        await reach(app)
        await app.initialize()
    except BaseException:
        await app.shutdown()
        # An application whose bot never got through getMe was never initialized, so its
        # shutdown leaves the bot's connections open: close them here.
        await app.bot.shutdown()
        raise
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
                bootstrap_retries=-1,
            )
        else:
            await updater.start_polling(
                poll_interval=0,
                timeout=timedelta(seconds=config.poll_timeout),
                allowed_updates=allowed,
                bootstrap_retries=-1,
                error_callback=_polling_error,
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
