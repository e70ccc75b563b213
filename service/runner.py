"""`duban run` put together: the core, every configured channel, the web board and the worker.

`serving()` is what `duban run`, the sandbox and the tests all use; `run_until_stopped()`
adds signal handling for the command line.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from bot.router import Dialogue
from core.channel import Channel
from core.runtime import Core, CoreConfig
from core.sender import OutboxSender
from core.worker import Worker, WorkerOptions
from scheduler.clock import Clock

if TYPE_CHECKING:
    # Imported when a channel is configured, not before: `duban plan show` and the other
    # commands never pay for python-telegram-bot, aiohttp or the WeCom crypto.
    from bot.telegram.app import TelegramApp, TelegramConfig
    from bot.wecom.door import WeComConfig
    from service.http import HttpConfig
    from web.config import WebConfig

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunConfig:
    """Everything `duban run` needs: the ledger, the channels to serve, the worker's pace."""

    core: CoreConfig
    telegram: TelegramConfig | None = None
    wecom: WeComConfig | None = None
    # The HTTP server (WeCom's callback, the web board); None: no server at all.
    http: HttpConfig | None = None
    # The web board (看板) on that server, at "/".
    web: WebConfig | None = None
    worker: WorkerOptions = field(default_factory=WorkerOptions)


@dataclass
class Running:
    """A running service: its core, dialogue, sender and channels (tests reach in here)."""

    core: Core
    dialogue: Dialogue
    worker: Worker
    channels: dict[str, Channel]
    telegram_app: TelegramApp | None = None
    http_url: str | None = None


@asynccontextmanager
async def serving(config: RunConfig, clock: Clock) -> AsyncIterator[Running]:
    """Open the core, start every configured channel and the worker; stop them in reverse."""
    core = await Core.open(config.core, clock)
    async with AsyncExitStack() as stack:
        stack.push_async_callback(core.close)
        dialogue = Dialogue(core)
        channels: dict[str, Channel] = {}
        telegram_app = None
        if config.telegram is not None:
            from bot.telegram.app import build_application, running

            telegram_app = build_application(config.telegram, dialogue)
            channel = telegram_app.bot_data.channel
            if channel is not None:
                channels[channel.name] = channel
        http_app = None
        if config.http is not None and (config.wecom is not None or config.web is not None):
            from aiohttp import web

            http_app = web.Application()
        if config.wecom is not None:
            from bot.wecom.door import wecom_door

            door = await stack.enter_async_context(
                wecom_door(config.wecom, dialogue, http_app or web.Application())
            )
            channels[door.channel.name] = door.channel
            channels[door.robot.name] = door.robot
        if http_app is not None and config.web is not None:
            from web.app import build_web_routes

            # The board reads with the core's rules (its calendar included), as the bot does.
            board = replace(config.web, rules=core.rules)
            build_web_routes(core.db, clock, core.tz, board, http_app)
        sender = OutboxSender(channels, core.db, clock, core.tz, rules=core.rules)
        worker = Worker(core, sender, config.worker)
        http_url = None
        if http_app is not None and config.http is not None:
            from service.http import listening

            http_url = await stack.enter_async_context(listening(config.http, http_app))
        if telegram_app is not None and config.telegram is not None:
            await stack.enter_async_context(running(telegram_app, config.telegram))
        # What start-up loaded (modules, the ORM's mappers, the plan) lives as long as the
        # process: move it out of the collector's sight, so the full collections a busy
        # reconcile triggers walk only what the pass made (a fifth of a 100x busy day).
        gc.freeze()
        await stack.enter_async_context(worker)
        where = f" (HTTP on {http_url})" if http_url else ""
        log.info("serving %s%s", ", ".join(channels) or "no channel", where)
        yield Running(core, dialogue, worker, channels, telegram_app, http_url)


def run_until_stopped(config: RunConfig, clock: Clock) -> None:
    """Serve until SIGINT or SIGTERM, then stop cleanly (also while still starting: waiting
    for an unreachable chat API is cut short)."""

    async def serve(stop: asyncio.Event, started: asyncio.Event) -> None:
        async with serving(config, clock):
            started.set()
            await stop.wait()

    async def main() -> None:
        stop, started = asyncio.Event(), asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        task = loop.create_task(serve(stop, started))
        stopping = loop.create_task(stop.wait())
        await asyncio.wait({task, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if not started.is_set() and not task.done():
            log.info("stopped while starting")
            task.cancel()
        stopping.cancel()
        try:
            await task
        except asyncio.CancelledError:
            if not stop.is_set():
                raise

    asyncio.run(main())
