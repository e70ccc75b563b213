"""Deliver the outbox: due rows go out once, are marked sent only after Telegram accepts them."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot import render
from bot.callbacks import ANSWERS, encode_answer, encode_decision
from reports.chart import render_chart
from reports.digest import build_digest
from scheduler.clock import Clock
from storage import outbox
from storage.database import Database
from storage.records import OutboxItemRecord, OutboxMessage

if TYPE_CHECKING:
    from bot.context import CustomContext

log = logging.getLogger(__name__)

BATCH = 20
# Quick in-process retries ride out a blip; longer outages wait for a later drain.
QUICK_RETRY_DELAYS = (0.2, 0.5, 1.0)
MAX_BACKOFF = timedelta(minutes=30)
# After this many failed drains a row is given up on and shown to the admin.
MAX_ATTEMPTS = 12


def prompt_keyboard(items: Sequence[OutboxItemRecord]) -> InlineKeyboardMarkup | None:
    """Return one row of four answer buttons per item, the item's task id on the first."""
    rows = [
        [
            InlineKeyboardButton(
                (f"{item.task_id} " if index == 0 else "") + render.ANSWER_LABELS[answer],
                callback_data=encode_answer(item.outbox_id, item.id, answer),
            )
            for index, answer in enumerate(ANSWERS)
        ]
        for item in items
    ]
    return InlineKeyboardMarkup(rows) if rows else None


def decision_keyboard(extension_id: int) -> InlineKeyboardMarkup:
    """Return the leadership's [同意][不同意] row for one extension request."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    render.APPROVE, callback_data=encode_decision(extension_id, True)
                ),
                InlineKeyboardButton(
                    render.REJECT, callback_data=encode_decision(extension_id, False)
                ),
            ]
        ]
    )


class OutboxSender:
    """Sends due outbox rows through the bot; one drain at a time per process."""

    def __init__(
        self, bot: Bot, db: Database, clock: Clock, tz: ZoneInfo, batch: int = BATCH
    ) -> None:
        self._bot = bot
        self._db = db
        self._clock = clock
        self._tz = tz
        self._batch = batch
        self._lock = asyncio.Lock()

    async def drain(self) -> int:
        """Send every row that is due now; return how many rows were handled."""
        handled = 0
        async with self._lock:
            while True:
                async with self._db.session() as session:
                    rows = await outbox.claim_due(session, self._clock.now(), self._batch)
                    items = {
                        row.id: await outbox.items_of(session, row.id)
                        for row in rows
                        if row.payload.get("buttons") == "prompt"
                    }
                for row in rows:
                    try:
                        await self._deliver(row, items.get(row.id, []))
                    except Exception as exc:
                        # A row this code cannot send (a bug, a malformed payload) would
                        # otherwise come back after every lease: give up on it and say so.
                        log.exception("outbox %s cannot be sent", row.id)
                        async with self._db.session() as session:
                            await outbox.mark_failed(
                                session, row.id, f"{type(exc).__name__}: {exc}", self._clock.now()
                            )
                handled += len(rows)
                if len(rows) < self._batch:
                    return handled

    async def _deliver(self, row: OutboxMessage, items: list[OutboxItemRecord]) -> None:
        markup = self._markup(row, items)
        chunks = render.split_text(str(row.payload.get("text") or ""))
        error: TelegramError | None = None
        for delay in (*QUICK_RETRY_DELAYS, None):
            try:
                message = await self._send(row.chat_id, chunks, markup)
            except (Forbidden, BadRequest) as exc:
                await self._give_up(row, exc)
                return
            except RetryAfter as exc:
                # The rate limiter already waited and retried; leave the rest to a later drain.
                await self._retry(row, exc, exc.retry_after)
                return
            except NetworkError as exc:
                error = exc
                if delay is None:
                    break
                await asyncio.sleep(delay)
                continue
            async with self._db.session() as session:
                await outbox.mark_sent(session, row.id, message.message_id, self._clock.now())
            if row.kind == "digest":
                await self._send_chart(row)
            return
        if error is not None:
            await self._retry(row, error, None)

    async def _send_chart(self, row: OutboxMessage) -> None:
        """Send the status chart after a digest; the digest itself is already delivered."""
        try:
            digest = await build_digest(self._db, row.created_at, self._tz)
            # matplotlib is synchronous: keep it off the event loop.
            chart = await asyncio.to_thread(render_chart, digest)
            await self._bot.send_photo(
                row.chat_id, InputFile(chart, filename="chart.png"), caption=render.CHART_CAPTION
            )
        except TelegramError as exc:
            log.warning("chart for digest %s not sent: %s", row.id, exc)

    def _markup(
        self, row: OutboxMessage, items: list[OutboxItemRecord]
    ) -> InlineKeyboardMarkup | None:
        buttons = row.payload.get("buttons")
        if buttons == "prompt":
            return prompt_keyboard(items)
        extension_id = row.payload.get("extension_id")
        if buttons == "extension_decision" and isinstance(extension_id, int):
            return decision_keyboard(extension_id)
        return None

    async def _send(
        self, chat_id: int, chunks: list[str], markup: InlineKeyboardMarkup | None
    ) -> Message:
        message: Message | None = None
        for index, chunk in enumerate(chunks):
            last = index == len(chunks) - 1
            message = await self._bot.send_message(
                chat_id, chunk, reply_markup=markup if last else None
            )
        if message is None:
            raise BadRequest("empty message")
        return message

    async def _retry(
        self, row: OutboxMessage, error: TelegramError, wait: int | timedelta | None
    ) -> None:
        now = self._clock.now()
        if row.attempts + 1 >= MAX_ATTEMPTS:
            await self._give_up(row, error)
            return
        if wait is None:
            delay = min(timedelta(seconds=2 ** (row.attempts + 1)), MAX_BACKOFF)
        elif isinstance(wait, timedelta):
            delay = wait
        else:
            delay = timedelta(seconds=wait)
        log.warning("outbox %s to chat %s: %s; retry in %s", row.id, row.chat_id, error, delay)
        async with self._db.session() as session:
            await outbox.mark_retry(session, row.id, str(error), now + delay)

    async def _give_up(self, row: OutboxMessage, error: TelegramError) -> None:
        log.error("outbox %s to chat %s failed for good: %s", row.id, row.chat_id, error)
        async with self._db.session() as session:
            await outbox.mark_failed(
                session, row.id, f"{type(error).__name__}: {error}", self._clock.now()
            )


async def drain_job(context: CustomContext) -> None:
    """Send whatever the outbox holds that is due (a repeating job)."""
    await context.services.sender.drain()
