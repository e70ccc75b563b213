"""Telegram as a `core.channel.Channel`: text split at 4,096, buttons as inline keyboards."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TypeVar

from telegram import (
    Bot,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
)
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from core.buttons import Button
from core.channel import Attachment, OutgoingMessage, TryLater, Undeliverable, send_in_parts

MAX_TEXT = 4096
NAME = "telegram"

T = TypeVar("T")


def keyboard(buttons: tuple[tuple[Button, ...], ...]) -> InlineKeyboardMarkup | None:
    """Return an inline keyboard with each button's press as its callback data."""
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b.label, callback_data=b.press.encode()) for b in row]
            for row in buttons
        ]
    )


def _units(text: str) -> int:
    """Return the length Telegram counts (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split text into messages Telegram accepts, at line breaks where possible."""
    if _units(text) <= limit:
        return [text or "（空）"]
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        while _units(line) > limit:
            head, line = _cut(line, limit)
            if current:
                chunks.append(current)
                current = ""
            chunks.append(head)
        candidate = f"{current}\n{line}" if current else line
        if _units(candidate) <= limit:
            current = candidate
        else:
            chunks.append(current)
            current = line
    if current:
        chunks.append(current)
    return [chunk for chunk in chunks if chunk.strip()] or [text[:limit]]


def _cut(line: str, limit: int) -> tuple[str, str]:
    """Return the longest head of `line` within limit, and the rest."""
    size = 0
    for index, char in enumerate(line):
        size += _units(char)
        if size > limit:
            return line[:index], line[index:]
    return line, ""


class TelegramChannel:
    """Sends through a PTB Bot: its `PacedLimiter` paces every message and has already
    retried 429s by then."""

    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    @property
    def name(self) -> str:
        """Return "telegram"."""
        return NAME

    async def send(self, address: str, message: OutgoingMessage, first_part: int = 0) -> str:
        """Send a message (split if long, buttons on the last part); return the last id."""
        chat_id = int(address)
        chunks = split_text(message.text)
        markup: InlineKeyboardMarkup | ForceReply | None = keyboard(message.buttons)
        if markup is None and message.expects_reply:
            # Not selective: a question replies to no one's message, so a selective
            # ForceReply would reach nobody in a group.
            markup = ForceReply()

        def part(index: int) -> Callable[[], Awaitable[str]]:
            async def send_part() -> str:
                last = index == len(chunks) - 1
                sent = await mapped(
                    lambda: self._bot.send_message(
                        chat_id, chunks[index], reply_markup=markup if last else None
                    )
                )
                return str(sent.message_id)

            return send_part

        return await send_in_parts([part(i) for i in range(len(chunks))], first_part)

    async def edit(self, address: str, ref: str, message: OutgoingMessage) -> None:
        """Replace a message's text and buttons (no buttons: the keyboard goes)."""
        text = split_text(message.text)[0]
        try:
            await mapped(
                lambda: self._bot.edit_message_text(
                    text, int(address), int(ref), reply_markup=keyboard(message.buttons)
                )
            )
        except Undeliverable as exc:
            if "not modified" in str(exc):
                return
            raise

    async def send_attachment(self, address: str, attachment: Attachment) -> str:
        """Send a picture as a photo, anything else as a document; return its id."""
        chat_id = int(address)
        upload = InputFile(attachment.data, filename=attachment.filename)
        if attachment.picture:
            sent = await mapped(
                lambda: self._bot.send_photo(chat_id, upload, caption=attachment.caption)
            )
        else:
            sent = await mapped(
                lambda: self._bot.send_document(chat_id, upload, caption=attachment.caption)
            )
        return str(sent.message_id)


async def mapped(send: Callable[[], Awaitable[T]]) -> T:
    """Run a Bot call, turning Telegram's errors into the channel's."""
    try:
        return await send()
    except (Forbidden, BadRequest) as exc:
        raise Undeliverable(f"{type(exc).__name__}: {exc}") from exc
    except RetryAfter as exc:
        wait = exc.retry_after
        after = wait if isinstance(wait, timedelta) else timedelta(seconds=wait)
        raise TryLater(str(exc), after) from exc
    except NetworkError as exc:
        raise TryLater(str(exc)) from exc
