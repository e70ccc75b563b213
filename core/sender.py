"""Deliver the outbox through the chat channels: each due row goes out once, marked sent only
after its channel accepted it. Channel-neutral: a row's chat names its channel and address,
and the buttons it carries are semantic (`core.buttons`); each channel lays them out.

The sender survives its database. A database error is never a delivery failure: a row whose
attempt could not be recorded stays pending (its short claim runs out and it is tried again),
and a row the channel accepted has its bookkeeping retried until it lands. Only the channel's
permanent answers (`Undeliverable`), a payload that cannot be read, repeated refusals and
bugs mark a row failed. Claims are short and renewed while a batch is sent, and each row is
re-checked just before it goes, so two processes never send one row.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
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
from core.health import Outage
from core.prompts import answer_buttons
from core.signoff import review_buttons
from scheduler.clock import Clock
from scheduler.messages import APPROVE, REJECT
from scheduler.payload import OutboxPayload, PayloadError
from storage import outbox
from storage.chats import chat_addresses
from storage.database import Database, unreachable
from storage.records import OutboxItemRecord, OutboxMessage
from storage.status import StatusRules

log = logging.getLogger(__name__)

# Rows under way at once (claimed and not settled; more are claimed when half are): enough for
# many chats to be under way together, so that a group's 3 s spacing (Telegram: 20 a minute)
# never keeps the channel below its overall pace (30 a second: 1,000 rows are about 34 s of
# sending). Claims are renewed while they are sent.
BATCH = 1000
# Quick in-process retries ride out a blip; longer outages wait for a later drain.
QUICK_RETRY_DELAYS = (0.2, 0.5, 1.0)
# A claim's lease on the service's clock; renewed every third of it while a batch is sent.
LEASE = outbox.CLAIM_LEASE
# How often (real seconds) the renewer looks at the clock.
RENEW_POLL = 0.05
# Waits between attempts to record a delivery the channel accepted, while the ledger is
# unreachable (real seconds; the last repeats). Short: the row's lease is running meanwhile.
BOOKKEEPING_DELAYS = (0.05, 0.1, 0.2, 0.5, 1.0)
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


class Unrecorded(Exception):
    """A delivery the channel accepted whose bookkeeping failed for another reason than an
    unreachable ledger (a bug)."""


@dataclass
class BatchReport:
    """What one batch came to, for its one log line (and tests)."""

    sent: int = 0
    retry: int = 0
    failed: int = 0
    skipped: int = 0
    # Seconds from each channel accept to its committed bookkeeping.
    windows: list[float] = field(default_factory=list)

    def fields(self) -> dict[str, object]:
        """Return the batch as fields (JSON logs carry them)."""
        return {
            "sent": self.sent,
            "retry": self.retry,
            "failed": self.failed,
            "skipped": self.skipped,
            "window_ms": round(max(self.windows, default=0.0) * 1000, 1),
            "windows_ms": ",".join(f"{w * 1000:.1f}" for w in self.windows),
        }

    def line(self) -> str:
        """Return the batch as one log line."""
        parts = [f"{self.sent} sent"]
        if self.retry:
            parts.append(f"{self.retry} to retry")
        if self.failed:
            parts.append(f"{self.failed} failed")
        if self.skipped:
            parts.append(f"{self.skipped} taken by another sender")
        if self.windows:
            parts.append(f"recorded within {max(self.windows) * 1000:.0f} ms of the accept")
        return "outbox: " + ", ".join(parts)


@dataclass
class _Batch:
    """One claim's rows: its report, and how many are not settled yet."""

    report: BatchReport
    left: int


@dataclass
class _Run:
    """One drain under way: each chat's queued rows and task, the claims, what went wrong."""

    queues: dict[int, deque[tuple[OutboxMessage, list[OutboxItemRecord], _Batch]]] = field(
        default_factory=dict
    )
    workers: dict[int, asyncio.Task[None]] = field(default_factory=dict)
    batches: list[_Batch] = field(default_factory=list)
    open: int = 0  # rows claimed and not settled
    more: bool = True  # the last claim was full: more may be due
    failure: BaseException | None = None
    changed: asyncio.Event = field(default_factory=asyncio.Event)


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
        lease: timedelta = LEASE,
        outage: Outage | None = None,
    ) -> None:
        self._channels = dict(channels)
        self._db = db
        self._clock = clock
        self._tz = tz
        self._batch = batch
        self._quick = tuple(quick_retry_delays)
        self._lease = lease
        self._lock = asyncio.Lock()
        self._rules = rules
        self.ledger = outage or Outage("the database", log)
        # Every accept-to-bookkeeping time so far (seconds): what a crash can duplicate.
        self.windows: list[float] = []

    @property
    def channels(self) -> tuple[str, ...]:
        """Return the names of the channels this sender serves."""
        return tuple(self._channels)

    async def drain(self) -> int:
        """Send every row that is due now; return how many rows were handled.

        Rows are claimed in batches and sent one task per chat, each chat's rows one after
        another in claim order: chats wait for their own turns (the channel's pace), never
        for each other's. A batch's rows need not all be sent before the next is claimed:
        when half of them are settled, more are claimed, and a chat still under way gets its
        new rows after its current ones. Each claim's rows make one `BatchReport` line.

        A database error while claiming, re-checking or recording a failed attempt ends the
        drain (it propagates once the chats under way have finished their current rows): the
        rows keep their claims until these run out, then come back.
        """
        handled = 0
        async with self._lock:
            token = uuid.uuid4().hex
            run = _Run()
            renewer: asyncio.Task[None] | None = None
            loop = asyncio.get_running_loop()
            try:
                while True:
                    if run.more and run.failure is None and run.open <= self._batch // 2:
                        want = self._batch - run.open
                        try:
                            claimed = await self._claim(token, want)
                        except Exception as exc:  # ends the drain once the chats stop
                            run.failure = exc
                            claimed = None
                        if claimed is not None:
                            rows, chats, items = claimed
                            run.more = len(rows) == want
                            if rows and renewer is None:
                                renewer = loop.create_task(self._renew(token))
                            handled += len(rows)
                            self._start(run, token, rows, chats, items)
                    if not run.workers:
                        break
                    run.changed.clear()
                    await run.changed.wait()
            finally:
                for worker in run.workers.values():
                    worker.cancel()
                await asyncio.gather(*run.workers.values(), return_exceptions=True)
                if renewer is not None:
                    renewer.cancel()
                    await asyncio.gather(renewer, return_exceptions=True)
                for batch in run.batches:
                    if batch.left:  # cut short: say what it came to
                        self._log(batch.report)
            if run.failure is not None:
                raise run.failure
            return handled

    async def _claim(
        self, token: str, limit: int
    ) -> tuple[list[OutboxMessage], dict[int, tuple[str, str]], dict[int, list[OutboxItemRecord]]]:
        """Claim up to `limit` due rows; return them with their chats and items."""
        async with self._db.session() as session:
            rows = await outbox.claim_due(
                session,
                self._clock.now(),
                limit,
                self._lease,
                channels=self._channels,
                token=token,
            )
            chats = await chat_addresses(session, [r.chat_id for r in rows])
            items = await outbox.items_of_many(session, [r.id for r in rows])
        self.ledger.ok()
        return rows, chats, items

    def _start(
        self,
        run: _Run,
        token: str,
        rows: list[OutboxMessage],
        chats: Mapping[int, tuple[str, str]],
        items: Mapping[int, list[OutboxItemRecord]],
    ) -> None:
        """Queue a claim's rows on their chats, starting a task for each chat not under way."""
        if not rows:
            return
        batch = _Batch(BatchReport(), len(rows))
        run.batches.append(batch)
        run.open += len(rows)
        for row in rows:
            queue = run.queues.setdefault(row.chat_id, deque())
            queue.append((row, items[row.id], batch))
            if row.chat_id not in run.workers:
                run.workers[row.chat_id] = asyncio.get_running_loop().create_task(
                    self._send_chat(run, token, row.chat_id, chats[row.chat_id])
                )

    async def _send_chat(self, run: _Run, token: str, chat_id: int, chat: tuple[str, str]) -> None:
        """Send a chat's queued rows in order, until its queue is empty; an unreachable
        ledger ends the chat's turn (its other rows keep their claims till these run out)."""
        channel, address = chat
        queue = run.queues[chat_id]
        try:
            while queue:
                row, items, batch = queue[0]
                try:
                    await self._send_row(
                        token, self._channels[channel], address, row, items, batch.report
                    )
                finally:
                    queue.popleft()
                    self._settled(run, batch)
        except Exception as exc:
            if run.failure is None:
                run.failure = exc
            while queue:  # not sent here: they come back when their claims run out
                _, _, batch = queue.popleft()
                self._settled(run, batch)
        finally:
            del run.queues[chat_id]
            del run.workers[chat_id]
            run.changed.set()

    def _settled(self, run: _Run, batch: _Batch) -> None:
        run.open -= 1
        batch.left -= 1
        if batch.left == 0:
            self._log(batch.report)
        run.changed.set()

    def _log(self, report: BatchReport) -> None:
        self.windows.extend(report.windows)
        log.info("%s", report.line(), extra=report.fields())

    async def _renew(self, token: str) -> None:
        """Keep the batch's claims alive while it is sent (a slow send, a long 429 wait)."""
        renewed = self._clock.now()
        while True:
            await asyncio.sleep(RENEW_POLL)
            now = self._clock.now()
            if now - renewed < self._lease / 3:
                continue
            try:
                async with self._db.session() as session:
                    await outbox.renew_claim(session, token, now + self._lease)
            except Exception as exc:
                if not unreachable(exc):
                    raise
                # The re-check before each send still keeps another sender's rows apart.
                self.ledger.failed(exc, "renewing claims")
                continue
            renewed = now

    async def _send_row(
        self,
        token: str,
        channel: Channel,
        address: str,
        row: OutboxMessage,
        items: list[OutboxItemRecord],
        report: BatchReport,
    ) -> None:
        async with self._db.session() as session:
            mine = await outbox.still_claimed(
                session, row.id, token, self._clock.now() + self._lease
            )
        if not mine:
            # Our claim ran out and another sender took the row (or settled it) meanwhile.
            report.skipped += 1
            log.debug("outbox %s was taken over by another sender; not sent here", row.id)
            return
        try:
            await self._deliver(channel, address, row, items, report)
        except Unrecorded:
            # Delivered, but a bug kept it from being recorded: never call that a failure.
            log.exception("outbox %s was delivered but could not be recorded", row.id)
        except Exception as exc:
            if unreachable(exc):
                raise
            # A row this code cannot send (a bug) would otherwise come back after every
            # lease: give up on it and say so.
            log.exception("outbox %s cannot be sent", row.id)
            report.failed += 1
            await self._give_up(row, f"{type(exc).__name__}: {exc}")

    async def _deliver(
        self,
        channel: Channel,
        address: str,
        row: OutboxMessage,
        items: list[OutboxItemRecord],
        report: BatchReport,
    ) -> None:
        try:
            payload = OutboxPayload.from_json(row.payload)
        except PayloadError as exc:
            report.failed += 1
            await self._give_up(row, str(exc))
            return
        message = outgoing(payload, items, row.kind)
        problem: TryLater | None = None
        first_part = row.parts_sent
        for delay in (*self._quick, None):
            try:
                ref = await channel.send(address, message, first_part)
            except Undeliverable as exc:
                report.failed += 1
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
            accepted = time.perf_counter()
            await self._record_sent(row, ref)
            report.windows.append(time.perf_counter() - accepted)
            report.sent += 1
            if row.kind == "digest":
                await self._send_chart(channel, address, row)
            return
        if problem is not None:
            report.retry += 1
            await self._retry(row, problem, first_part)

    async def _record_sent(self, row: OutboxMessage, ref: str) -> None:
        """Record an accepted delivery, retrying until the ledger takes it: a row sent but
        not marked would be sent again when its claim runs out."""
        delays = iter(BOOKKEEPING_DELAYS)
        delay = BOOKKEEPING_DELAYS[0]
        try:
            while True:
                try:
                    async with self._db.session() as session:
                        await outbox.mark_sent(session, row.id, ref, self._clock.now())
                except Exception as exc:
                    if not unreachable(exc):
                        raise Unrecorded from exc
                    self.ledger.failed(exc, f"recording outbox {row.id} as sent")
                    delay = next(delays, delay)
                    await asyncio.sleep(delay)
                    continue
                self.ledger.ok()
                return
        except asyncio.CancelledError:
            log.warning(
                "outbox %s was delivered but stopping cut its bookkeeping short;"
                " it may be sent again",
                row.id,
            )
            raise

    async def _send_chart(self, channel: Channel, address: str, row: OutboxMessage) -> None:
        """Send the status chart after a digest; the digest itself is already delivered."""
        from reports.chart import render_chart  # matplotlib: loaded only when a chart is drawn
        from reports.source import build_digest

        try:
            digest = await build_digest(self._db, row.created_at, self._tz, self._rules)
            # matplotlib is synchronous: keep it off the event loop.
            chart = await asyncio.to_thread(render_chart, digest)
            picture = Attachment(chart, "chart.png", CHART_CAPTION, picture=True)
            await channel.send_attachment(address, picture)
        except (TryLater, Undeliverable) as exc:
            log.warning("chart for digest %s not sent: %s", row.id, exc)
        except Exception as exc:
            # The digest itself is delivered and recorded: nothing here may undo that.
            if not unreachable(exc):
                log.exception("chart for digest %s could not be drawn", row.id)
                return
            log.warning("chart for digest %s not sent: the database is unreachable", row.id)

    async def _retry(self, row: OutboxMessage, problem: TryLater, parts_sent: int) -> None:
        if row.attempts + 1 >= MAX_ATTEMPTS:
            await self._give_up(row, f"gave up after {MAX_ATTEMPTS} attempts: {problem}")
            return
        backoff = min(timedelta(seconds=2 ** (row.attempts + 1)), MAX_BACKOFF)
        delay = problem.after if problem.after is not None else backoff
        log.debug("outbox %s to chat %s: %s; retry in %s", row.id, row.chat_id, problem, delay)
        async with self._db.session() as session:
            await outbox.mark_retry(
                session, row.id, str(problem), self._clock.now() + delay, parts_sent
            )

    async def _give_up(self, row: OutboxMessage, error: str) -> None:
        log.error("outbox %s to chat %s failed for good: %s", row.id, row.chat_id, error)
        async with self._db.session() as session:
            await outbox.mark_failed(session, row.id, error, self._clock.now())
