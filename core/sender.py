"""Deliver the outbox through the chat channels: each due row goes out once, marked sent only
after its channel accepted it. Channel-neutral: a row's chat names its channel and address,
and the buttons it carries are semantic (`core.buttons`); each channel lays them out.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from datetime import timedelta
from zoneinfo import ZoneInfo

from core.buttons import Button, Press
from core.channel import (
    Attachment,
    Channel,
    OutgoingMessage,
    PartlySent,
    TryLater,
    Undeliverable,
)
from core.prompts import answer_buttons
from core.signoff import review_buttons
from scheduler.clock import Clock
from scheduler.messages import APPROVE, REJECT
from scheduler.payload import OutboxPayload, PayloadError
from storage import outbox
from storage.chats import chat_addresses
from storage.database import Database
from storage.records import OutboxItemRecord, OutboxMessage
from storage.status import StatusRules

log = logging.getLogger(__name__)

BATCH = 20
# Quick in-process retries ride out a blip; longer outages wait for a later drain.
QUICK_RETRY_DELAYS = (0.2, 0.5, 1.0)
MAX_BACKOFF = timedelta(minutes=30)
# After this many failed drains a row is given up on and shown to the admin.
MAX_ATTEMPTS = 12
CHART_CAPTION = "各科室进展图"


def decision_buttons(extension_id: int) -> tuple[tuple[Button, ...], ...]:
    """Return the leadership's [同意][不同意] row for one extension request."""
    return (
        (
            Button(APPROVE, Press("decide", extension_id, "yes")),
            Button(REJECT, Press("decide", extension_id, "no")),
        ),
    )


def outgoing(
    payload: OutboxPayload, items: list[OutboxItemRecord], kind: str = ""
) -> OutgoingMessage:
    """Return the message a queued payload stands for, with its semantic buttons."""
    buttons: tuple[tuple[Button, ...], ...] = ()
    if payload.buttons == "prompt":
        buttons = answer_buttons(items)
    elif payload.buttons == "extension_decision" and payload.extension_id is not None:
        buttons = decision_buttons(payload.extension_id)
    elif payload.buttons == "signoff":
        buttons = review_buttons(payload.reviews)
    title = payload.text.split("\n", 1)[0] if buttons else None
    # The weekly digest reads best as a document (WeCom: markdown); others send it plain.
    return OutgoingMessage(payload.text, buttons, title=title, markdown=kind == "digest")


class OutboxSender:
    """Sends due outbox rows through the channels it was given; one drain at a time."""

    def __init__(
        self,
        channels: Mapping[str, Channel],
        db: Database,
        clock: Clock,
        tz: ZoneInfo,
        *,
        batch: int = BATCH,
        quick_retry_delays: Sequence[float] = QUICK_RETRY_DELAYS,
        rules: StatusRules | None = None,
    ) -> None:
        self._channels = dict(channels)
        self._db = db
        self._clock = clock
        self._tz = tz
        self._batch = batch
        self._quick = tuple(quick_retry_delays)
        self._lock = asyncio.Lock()
        self._rules = rules

    @property
    def channels(self) -> tuple[str, ...]:
        """Return the names of the channels this sender serves."""
        return tuple(self._channels)

    async def drain(self) -> int:
        """Send every row that is due now; return how many rows were handled."""
        handled = 0
        async with self._lock:
            while True:
                async with self._db.session() as session:
                    rows = await outbox.claim_due(
                        session, self._clock.now(), self._batch, channels=self._channels
                    )
                    chats = await chat_addresses(session, [r.chat_id for r in rows])
                    items = {r.id: await outbox.items_of(session, r.id) for r in rows}
                for row in rows:
                    try:
                        channel, address = chats[row.chat_id]
                        await self._deliver(self._channels[channel], address, row, items[row.id])
                    except Exception as exc:
                        # A row this code cannot send (a bug, a malformed payload) would
                        # otherwise come back after every lease: give up on it and say so.
                        log.exception("outbox %s cannot be sent", row.id)
                        await self._give_up(row, f"{type(exc).__name__}: {exc}")
                handled += len(rows)
                if len(rows) < self._batch:
                    return handled

    async def _deliver(
        self, channel: Channel, address: str, row: OutboxMessage, items: list[OutboxItemRecord]
    ) -> None:
        try:
            payload = OutboxPayload.from_json(row.payload)
        except PayloadError as exc:
            await self._give_up(row, str(exc))
            return
        message = outgoing(payload, items, row.kind)
        problem: TryLater | None = None
        first_part = row.parts_sent
        for delay in (*self._quick, None):
            try:
                ref = await channel.send(address, message, first_part)
            except Undeliverable as exc:
                await self._give_up(row, str(exc))
                return
            except TryLater as exc:
                if isinstance(exc, PartlySent):
                    first_part = exc.sent
                problem = exc
                if exc.after is not None or delay is None:
                    # The channel named its wait (429), or quick retries are used up.
                    break
                await asyncio.sleep(delay)
                continue
            async with self._db.session() as session:
                await outbox.mark_sent(session, row.id, ref, self._clock.now())
            if row.kind == "digest":
                await self._send_chart(channel, address, row)
            return
        if problem is not None:
            await self._retry(row, problem, first_part)

    async def _send_chart(self, channel: Channel, address: str, row: OutboxMessage) -> None:
        """Send the status chart after a digest; the digest itself is already delivered."""
        from reports.chart import render_chart  # matplotlib: loaded only when a chart is drawn
        from reports.digest import build_digest

        try:
            digest = await build_digest(self._db, row.created_at, self._tz, self._rules)
            # matplotlib is synchronous: keep it off the event loop.
            chart = await asyncio.to_thread(render_chart, digest)
            picture = Attachment(chart, "chart.png", CHART_CAPTION, picture=True)
            await channel.send_attachment(address, picture)
        except (TryLater, Undeliverable) as exc:
            log.warning("chart for digest %s not sent: %s", row.id, exc)

    async def _retry(self, row: OutboxMessage, problem: TryLater, parts_sent: int) -> None:
        if row.attempts + 1 >= MAX_ATTEMPTS:
            await self._give_up(row, f"gave up after {MAX_ATTEMPTS} attempts: {problem}")
            return
        backoff = min(timedelta(seconds=2 ** (row.attempts + 1)), MAX_BACKOFF)
        delay = problem.after if problem.after is not None else backoff
        log.warning("outbox %s to chat %s: %s; retry in %s", row.id, row.chat_id, problem, delay)
        async with self._db.session() as session:
            await outbox.mark_retry(
                session, row.id, str(problem), self._clock.now() + delay, parts_sent
            )

    async def _give_up(self, row: OutboxMessage, error: str) -> None:
        log.error("outbox %s to chat %s failed for good: %s", row.id, row.chat_id, error)
        async with self._db.session() as session:
            await outbox.mark_failed(session, row.id, error, self._clock.now())
