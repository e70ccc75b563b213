"""A whole python-telegram-bot Application polling the emulator, the way the bot runs."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest
from telegram import Update
from telegram.ext import AIORateLimiter, Application, CommandHandler, ContextTypes

from emulator import Emulator
from emulator.model import Chat, User


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Repeat the command's arguments."""
    assert update.effective_message is not None
    await update.effective_message.reply_text("回声：" + " ".join(context.args or []))


@pytest.fixture
async def polling_app(emu: Emulator) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    """An echo bot polling the emulator with a rate limiter that retries 429s."""
    app = (
        Application.builder()
        .token(emu.token)
        .base_url(emu.base_url)
        .base_file_url(emu.base_file_url)
        .rate_limiter(AIORateLimiter(max_retries=3))
        .build()
    )
    app.add_handler(CommandHandler("echo", echo))
    async with app:
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=10)
        await app.start()
        yield app
        started = time.monotonic()
        await app.updater.stop()
        await app.stop()
    assert time.monotonic() - started < 5


async def test_application_answers_a_command_with_a_quoted_reply(
    emu: Emulator,
    people: tuple[User, Chat],
    polling_app: Application,  # type: ignore[type-arg]
) -> None:
    head, group = people
    sent = emu.send(group.id, head, "/echo 社区科 60%")
    reply = await emu.wait_for_bot_message(group.id, after=sent["message_id"])
    assert reply["text"] == "回声：社区科 60%"
    assert reply["reply_to_message"]["message_id"] == sent["message_id"]
    assert [c.method for c in emu.calls[:2]] == ["getMe", "deleteWebhook"]


async def test_rate_limiter_rides_out_429_and_delivers_once(
    emu: Emulator,
    people: tuple[User, Chat],
    polling_app: Application,  # type: ignore[type-arg]
) -> None:
    head, group = people
    emu.fail("sendMessage", times=1, kind="429", retry_after=1)
    sent = emu.send(group.id, head, "/echo 重试")
    reply = await emu.wait_for_bot_message(group.id, after=sent["message_id"])
    assert reply["text"] == "回声：重试"
    assert [c.error_code for c in emu.calls_of("sendMessage")] == [429, None]
    assert len(emu.bot_messages(group.id)) == 1
