"""The sender survives its database: a database error is never a delivery failure, a row
accepted by its channel is recorded as sent once the ledger answers again, and two senders
never send one row, even when sends are slower than a claim."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest

from core.channel import OutgoingMessage, TryLater
from core.runtime import Core, CoreConfig
from core.sender import OutboxSender
from core.worker import Worker, WorkerOptions
from plan_data import default_plan_path
from scheduler.clock import FrozenClock
from storage import outbox
from storage.chats import chat_key
from storage.database import Database
from storage.records import OutboxDraft, OutboxMessage
from tests.core.dbfaults import DatabaseFaults, marks_retry, marks_sent
from tests.core.fakes import FakeChannel
from tests.core.test_sender import ADDRESS, NOW, SHANGHAI


async def _enqueue(db: Database, *keys: str) -> None:
    async with db.session() as session:
        chat = await chat_key(session, "fake", ADDRESS, NOW)
        for key in keys:
            draft = OutboxDraft(key, chat, "社救科", "notice", {"text": key}, NOW)
            await outbox.enqueue(session, draft, NOW)


async def _rows(db: Database) -> list[OutboxMessage]:
    async with db.session() as session:
        found = [await outbox.by_dedupe_key(session, f"n{n}") for n in range(1, 10)]
    return [row for row in found if row is not None]


def _sender(channel: FakeChannel, db: Database, clock: object) -> OutboxSender:
    return OutboxSender(
        {"fake": channel},
        db,
        clock,  # type: ignore[arg-type]
        SHANGHAI,
        quick_retry_delays=(0, 0),
    )


async def test_a_delivery_whose_bookkeeping_fails_is_recorded_once_the_ledger_answers(
    ledger: Database,
) -> None:
    faults = DatabaseFaults(ledger)
    channel = FakeChannel()
    await _enqueue(ledger, "n1")
    faults.fail(marks_sent, times=3)
    await _sender(channel, ledger, FrozenClock(NOW)).drain()
    (row,) = await _rows(ledger)
    assert [m.text for m in channel.sent] == ["n1"]
    assert row.sent_at is not None
    assert row.failed_at is None
    async with ledger.session() as session:
        assert await outbox.failed(session) == []


async def test_a_delivery_whose_bookkeeping_hits_a_bug_is_never_called_a_failure(
    ledger: Database,
) -> None:
    faults = DatabaseFaults(ledger)
    channel = FakeChannel()
    await _enqueue(ledger, "n1")
    faults.fail(marks_sent, times=1, bug=True)
    await _sender(channel, ledger, FrozenClock(NOW)).drain()
    (row,) = await _rows(ledger)
    assert [m.text for m in channel.sent] == ["n1"]
    assert row.failed_at is None


async def test_a_database_error_after_a_failed_send_leaves_the_row_pending(
    ledger: Database,
) -> None:
    faults = DatabaseFaults(ledger)
    clock = FrozenClock(NOW)
    channel = FakeChannel(failures=[TryLater("Bad Gateway")] * 3)
    await _enqueue(ledger, "n1")
    faults.fail(marks_retry, times=1)
    sender = _sender(channel, ledger, clock)
    with pytest.raises(Exception, match="connection was closed"):
        await sender.drain()
    (row,) = await _rows(ledger)
    assert (row.sent_at, row.failed_at) == (None, None)
    # The claim runs out and the row is sent on a later drain, once.
    clock.advance(timedelta(minutes=10))
    await sender.drain()
    assert [m.text for m in channel.sent] == ["n1"]
    (row,) = await _rows(ledger)
    assert row.sent_at is not None
    assert row.failed_at is None


async def test_a_database_outage_while_claiming_fails_nothing(ledger: Database) -> None:
    faults = DatabaseFaults(ledger)
    channel = FakeChannel()
    await _enqueue(ledger, "n1", "n2")
    sender = _sender(channel, ledger, FrozenClock(NOW))
    faults.down()
    with pytest.raises(Exception, match="connection was closed"):
        await sender.drain()
    faults.up()
    await sender.drain()
    assert sorted(m.text for m in channel.sent) == ["n1", "n2"]
    assert all(r.failed_at is None and r.sent_at is not None for r in await _rows(ledger))


class FastClock:
    """Real time, sped up: a test lives through minutes of claims in a second."""

    def __init__(self, start: datetime, speed: float) -> None:
        self._start = start
        self._speed = speed
        self._origin = asyncio.get_running_loop().time()

    def now(self) -> datetime:
        """Return the start plus the real time elapsed, sped up."""
        elapsed = asyncio.get_running_loop().time() - self._origin
        return self._start + timedelta(seconds=elapsed * self._speed)


class SlowChannel(FakeChannel):
    """Takes `delay` real seconds to send each message."""

    delay: float = 0.0

    async def send(self, address: str, message: OutgoingMessage, first_part: int = 0) -> str:
        """Wait, then send."""
        await asyncio.sleep(self.delay)
        return await super().send(address, message, first_part)


@pytest.fixture
async def second(database_url: str, ledger: Database) -> AsyncIterator[Database]:
    """Yield a second connection pool on the same ledger: another replica's."""
    other = await Database.connect(database_url)
    try:
        yield other
    finally:
        await other.close()


@pytest.mark.slow
async def test_two_senders_never_send_one_row_when_sends_outlast_a_claim(
    ledger: Database, second: Database
) -> None:
    # 150x: each send takes 2.5 s of real time, over 6 minutes of the service's: longer
    # than any claim, as a hung send or a long 429 wait can be.
    clock = FastClock(NOW, speed=150)
    channel = SlowChannel()
    channel.delay = 2.5
    await _enqueue(ledger, "n1", "n2", "n3")
    first = _sender(channel, ledger, clock)
    other = _sender(channel, second, clock)

    done = asyncio.Event()

    async def first_drains() -> None:
        await first.drain()
        done.set()

    async def keep_draining() -> None:
        while not done.is_set():
            await other.drain()
            await asyncio.sleep(0.1)

    await asyncio.gather(first_drains(), keep_draining())
    sent = sorted(m.text for m in channel.sent)
    assert sent == ["n1", "n2", "n3"]


async def test_a_row_another_sender_took_over_is_not_sent_again(
    ledger: Database, second: Database
) -> None:
    clock = FrozenClock(NOW)
    channel = FakeChannel()
    other = _sender(channel, second, clock)
    await _enqueue(ledger, "n1", "n2")

    class Stalling(FakeChannel):
        async def send(self, address: str, message: OutgoingMessage, first_part: int = 0) -> str:
            # The first send hangs past every claim with no chance to renew it (the clock
            # jumps); meanwhile another sender takes both rows over and sends them.
            clock.advance(timedelta(hours=1))
            await other.drain()
            return await channel.send(address, message, first_part)

    await _sender(Stalling(), ledger, clock).drain()
    # n1 was already on its way when its claim was lost: only renewal protects a row in
    # flight. n2 is re-checked before it goes, found taken, and left to the other sender.
    assert Counter(m.text for m in channel.sent) == {"n1": 2, "n2": 1}


async def test_an_outage_is_one_warning_when_it_starts_and_one_line_when_it_ends(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    core = await Core.open(CoreConfig(database_url, default_plan_path()), FrozenClock(NOW))
    try:
        faults = DatabaseFaults(core.db)
        channel = FakeChannel()
        await _enqueue(core.db, "n1")
        sender = _sender(channel, core.db, core.clock)
        caplog.set_level(logging.INFO)
        faults.down()
        async with Worker(core, sender, WorkerOptions(timers=False, drain_interval=0.02)):
            await asyncio.sleep(0.5)  # some 25 turns of the worker against a dead ledger
            faults.up()
            for _ in range(100):
                if channel.sent:
                    break
                await asyncio.sleep(0.02)
    finally:
        await core.close()
    assert [m.text for m in channel.sent] == ["n1"]
    ours = [r for r in caplog.records if r.name.startswith("core.")]
    warnings = [r.getMessage() for r in ours if r.levelno == logging.WARNING]
    assert warnings == [
        "the database unreachable (scheduler pass and delivery): connection was closed"
        " in the middle; retrying"
    ]
    ended = [r for r in ours if r.getMessage().startswith("the database reachable again")]
    assert len(ended) == 1
    assert ended[0].levelno == logging.INFO
    assert not [r for r in ours if r.exc_info or r.levelno >= logging.ERROR]
