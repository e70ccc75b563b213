"""The Telegram channel: outbox messages through python-telegram-bot, errors mapped to ours."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from bot.channel import Buttons, TryLater, Undeliverable


class TelegramChannel:
    """Sends through a PTB Bot (its rate limiter has already retried 429s by then)."""

    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    async def send_text(self, chat_id: int, text: str, buttons: Buttons | None) -> int:
        """Send a message with an inline keyboard; return its message id."""
        markup = keyboard(buttons)
        return await _mapped(lambda: self._bot.send_message(chat_id, text, reply_markup=markup))

    async def send_picture(self, chat_id: int, png: bytes, caption: str) -> int:
        """Send a PNG as a photo; return its message id."""
        photo = InputFile(png, filename="chart.png")
        return await _mapped(lambda: self._bot.send_photo(chat_id, photo, caption=caption))


def keyboard(buttons: Buttons | None) -> InlineKeyboardMarkup | None:
    """Return an inline keyboard for rows of (label, data), or None when there are none."""
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(label, callback_data=data) for label, data in row]
            for row in buttons
        ]
    )


async def _mapped(send: Callable[[], Awaitable[Message]]) -> int:
    try:
        message = await send()
    except (Forbidden, BadRequest) as exc:
        raise Undeliverable(f"{type(exc).__name__}: {exc}") from exc
    except RetryAfter as exc:
        wait = exc.retry_after
        after = wait if isinstance(wait, timedelta) else timedelta(seconds=wait)
        raise TryLater(str(exc), after) from exc
    except NetworkError as exc:
        raise TryLater(str(exc)) from exc
    return message.message_id
