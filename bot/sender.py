"""Deliver the outbox: due rows go out once, marked sent only after the channel accepts them."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot import render
from bot.callbacks import ANSWERS, encode_answer, encode_decision
from bot.channel import Buttons, Channel, TryLater, Undeliverable
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


def prompt_buttons(items: Sequence[OutboxItemRecord]) -> Buttons:
    """Return one row of four answer buttons per item, the item's task id on the first."""
    return [
        [
            (
                (f"{item.task_id} " if index == 0 else "") + render.ANSWER_LABELS[answer],
                encode_answer(item.outbox_id, item.id, answer),
            )
            for index, answer in enumerate(ANSWERS)
        ]
        for item in items
    ]


def decision_buttons(extension_id: int) -> Buttons:
    """Return the leadership's [同意][不同意] row for one extension request."""
    return [
        [
            (render.APPROVE, encode_decision(extension_id, True)),
            (render.REJECT, encode_decision(extension_id, False)),
        ]
    ]


def buttons_for(row: OutboxMessage, items: Sequence[OutboxItemRecord]) -> Buttons | None:
    """Return the buttons a row's payload asks for (the contract's `buttons` field)."""
    kind = row.payload.get("buttons")
    if kind == "prompt":
        return prompt_buttons(items) or None
    extension_id = row.payload.get("extension_id")
    if kind == "extension_decision" and isinstance(extension_id, int):
        return decision_buttons(extension_id)
    return None


class OutboxSender:
    """Sends due outbox rows through a channel; one drain at a time per process."""

    def __init__(
        self,
        channel: Channel,
        db: Database,
        clock: Clock,
        tz: ZoneInfo,
        *,
        batch: int = BATCH,
        quick_retry_delays: Sequence[float] = QUICK_RETRY_DELAYS,
    ) -> None:
        self._channel = channel
        self._db = db
        self._clock = clock
        self._tz = tz
        self._batch = batch
        self._quick = tuple(quick_retry_delays)
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
                        await self._give_up(row, f"{type(exc).__name__}: {exc}")
                handled += len(rows)
                if len(rows) < self._batch:
                    return handled

    async def _deliver(self, row: OutboxMessage, items: list[OutboxItemRecord]) -> None:
        buttons = buttons_for(row, items)
        chunks = render.split_text(str(row.payload.get("text") or ""))
        problem: TryLater | None = None
        for delay in (*self._quick, None):
            try:
                message_id = await self._send(row.chat_id, chunks, buttons)
            except Undeliverable as exc:
                await self._give_up(row, str(exc))
                return
            except TryLater as exc:
                problem = exc
                if exc.after is not None or delay is None:
                    # The channel named its wait (429), or quick retries are used up.
                    break
                await asyncio.sleep(delay)
                continue
            async with self._db.session() as session:
                await outbox.mark_sent(session, row.id, message_id, self._clock.now())
            if row.kind == "digest":
                await self._send_chart(row)
            return
        if problem is not None:
            await self._retry(row, problem)

    async def _send(self, chat_id: int, chunks: list[str], buttons: Buttons | None) -> int:
        """Send the chunks in order, buttons on the last; return the last message id."""
        message_id = 0
        for index, chunk in enumerate(chunks):
            last = index == len(chunks) - 1
            message_id = await self._channel.send_text(chat_id, chunk, buttons if last else None)
        return message_id

    async def _send_chart(self, row: OutboxMessage) -> None:
        """Send the status chart after a digest; the digest itself is already delivered."""
        try:
            digest = await build_digest(self._db, row.created_at, self._tz)
            # matplotlib is synchronous: keep it off the event loop.
            chart = await asyncio.to_thread(render_chart, digest)
            await self._channel.send_picture(row.chat_id, chart, render.CHART_CAPTION)
        except (TryLater, Undeliverable) as exc:
            log.warning("chart for digest %s not sent: %s", row.id, exc)

    async def _retry(self, row: OutboxMessage, problem: TryLater) -> None:
        if row.attempts + 1 >= MAX_ATTEMPTS:
            await self._give_up(row, f"gave up after {MAX_ATTEMPTS} attempts: {problem}")
            return
        backoff = min(timedelta(seconds=2 ** (row.attempts + 1)), MAX_BACKOFF)
        delay = problem.after if problem.after is not None else backoff
        log.warning("outbox %s to chat %s: %s; retry in %s", row.id, row.chat_id, problem, delay)
        async with self._db.session() as session:
            await outbox.mark_retry(session, row.id, str(problem), self._clock.now() + delay)

    async def _give_up(self, row: OutboxMessage, error: str) -> None:
        log.error("outbox %s to chat %s failed for good: %s", row.id, row.chat_id, error)
        async with self._db.session() as session:
            await outbox.mark_failed(session, row.id, error, self._clock.now())


async def drain_job(context: CustomContext) -> None:
    """Send whatever the outbox holds that is due (a repeating job)."""
    await context.services.sender.drain()
