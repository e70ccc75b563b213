"""The outbox sender over a fake channel and a real ledger; one contract for both channels."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.buttons import Button, Press
from core.channel import Channel, OutgoingMessage, TryLater, Undeliverable
from core.sender import OutboxSender
from emulator.server import Emulator
from scheduler.clock import FrozenClock
from storage import outbox
from storage.chats import chat_key
from storage.database import Database
from storage.records import OutboxDraft, OutboxMessage
from tests.core.fakes import FakeChannel, retry_after

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2022, 6, 23, 9, 0, tzinfo=SHANGHAI)
ADDRESS = "-500"


async def _enqueue(db: Database, key: str, text: str, buttons: str | None = None) -> None:
    payload: dict[str, object] = {"text": text, "items": [], "buttons": buttons, "extension_id": 7}
    async with db.session() as session:
        chat = await chat_key(session, "fake", ADDRESS, NOW)
        await outbox.enqueue(
            session, OutboxDraft(key, chat, "社救科", "notice", payload, NOW), NOW
        )


async def _row(db: Database, key: str) -> OutboxMessage:
    async with db.session() as session:
        row = await outbox.by_dedupe_key(session, key)
    assert row is not None
    return row


def _sender(channel: Channel, db: Database, clock: FrozenClock) -> OutboxSender:
    return OutboxSender({"fake": channel}, db, clock, SHANGHAI, quick_retry_delays=(0, 0))


async def test_a_blip_is_ridden_out_and_the_row_sent_once(ledger: Database) -> None:
    channel = FakeChannel(failures=[TryLater("Bad Gateway"), TryLater("Bad Gateway")])
    await _enqueue(ledger, "n1", "你好")
    assert await _sender(channel, ledger, FrozenClock(NOW)).drain() == 1
    assert [m.text for m in channel.sent] == ["你好"]
    row = await _row(ledger, "n1")
    assert row.sent_at is not None
    assert row.message_ref == "1"


async def test_an_outage_is_retried_later_with_backoff(ledger: Database) -> None:
    clock = FrozenClock(NOW)
    channel = FakeChannel(failures=[TryLater("down")] * 3)
    sender = _sender(channel, ledger, clock)
    await _enqueue(ledger, "n2", "你好")
    await sender.drain()
    row = await _row(ledger, "n2")
    assert row.sent_at is None
    assert row.next_attempt_at == NOW + timedelta(seconds=2)
    clock.advance(timedelta(seconds=1))
    await sender.drain()
    assert channel.sent == []
    clock.advance(timedelta(seconds=1))
    await sender.drain()
    assert [m.text for m in channel.sent] == ["你好"]


async def test_a_named_wait_is_honoured(ledger: Database) -> None:
    channel = FakeChannel(failures=[retry_after(40)])
    await _enqueue(ledger, "n3", "你好")
    await _sender(channel, ledger, FrozenClock(NOW)).drain()
    assert channel.calls == 1
    row = await _row(ledger, "n3")
    assert row.next_attempt_at == NOW + timedelta(seconds=40)


async def test_an_undeliverable_row_fails_once_and_for_good(ledger: Database) -> None:
    clock = FrozenClock(NOW)
    channel = FakeChannel(gone={ADDRESS})
    sender = _sender(channel, ledger, clock)
    await _enqueue(ledger, "n4", "你好")
    await sender.drain()
    clock.advance(timedelta(days=1))
    await sender.drain()
    assert channel.calls == 1
    async with ledger.session() as session:
        failed = await outbox.failed(session)
    assert [(r.dedupe_key, r.last_error) for r in failed] == [
        ("n4", "Forbidden: bot was kicked from the group chat")
    ]


async def test_a_decision_request_carries_its_two_semantic_buttons(ledger: Database) -> None:
    channel = FakeChannel()
    await _enqueue(ledger, "n5", "【延期申请】社救科 · 2.3", buttons="extension_decision")
    await _sender(channel, ledger, FrozenClock(NOW)).drain()
    (sent,) = channel.sent
    assert sent.message.buttons == (
        (Button("同意", Press("decide", 7, "yes")), Button("不同意", Press("decide", 7, "no"))),
    )
    assert (await _row(ledger, "n5")).message_ref == sent.ref


async def test_a_row_for_a_channel_this_process_does_not_serve_waits(ledger: Database) -> None:
    async with ledger.session() as session:
        chat = await chat_key(session, "wecom", "zhangsan", NOW)
        draft = OutboxDraft("w1", chat, "社救科", "notice", {"text": "你好"}, NOW)
        await outbox.enqueue(session, draft, NOW)
    channel = FakeChannel()
    assert await _sender(channel, ledger, FrozenClock(NOW)).drain() == 0
    assert channel.sent == []
    assert (await _row(ledger, "w1")).sent_at is None


@pytest.fixture(params=["fake", "telegram"])
async def channel_and_chats(
    request: pytest.FixtureRequest,
) -> AsyncIterator[tuple[Channel, str, str]]:
    """Yield a channel with a chat that takes messages and one the bot was removed from."""
    if request.param == "fake":
        yield FakeChannel(gone={"-2"}), "-1", "-2"
        return
    from telegram import Bot

    from bot.telegram.channel import TelegramChannel

    async with Emulator.running() as emu:
        open_chat, closed_chat = emu.add_group("开放群"), emu.add_group("已移出")
        emu.remove_bot(closed_chat.id)
        bot = Bot(emu.token, base_url=emu.base_url)
        async with bot:
            yield TelegramChannel(bot), str(open_chat.id), str(closed_chat.id)


async def test_every_channel_honours_the_contract(
    channel_and_chats: tuple[Channel, str, str],
) -> None:
    channel, open_chat, closed_chat = channel_and_chats
    row = (Button("同意", Press("decide", 1, "yes")), Button("不同意", Press("decide", 1, "no")))
    first = await channel.send(open_chat, OutgoingMessage("你好", (row,)))
    second = await channel.send(open_chat, OutgoingMessage("再见"))
    assert int(second) > int(first) > 0
    await channel.edit(open_chat, first, OutgoingMessage("你好（已处理）"))
    with pytest.raises(Undeliverable):
        await channel.send(closed_chat, OutgoingMessage("你好"))
