"""The chat channel as the outbox sees it: send text with buttons, send a picture.

Telegram is one implementation (`bot/telegram_channel.py`); a WeCom adapter would be another.
Nothing here imports a chat library.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Protocol

Buttons = list[list[tuple[str, str]]]
"""Rows of (label, callback data)."""


class Undeliverable(Exception):
    """The chat will never take this message (the bot was removed, the chat is gone)."""


class TryLater(Exception):
    """The channel could not take the message now; `after` is how long it asked us to wait."""

    def __init__(self, reason: str, after: timedelta | None = None) -> None:
        super().__init__(reason)
        self.after = after


class Channel(Protocol):
    """Where outbox messages go."""

    async def send_text(self, chat_id: int, text: str, buttons: Buttons | None) -> int:
        """Send one message (within the channel's length limit); return its message id."""
        ...

    async def send_picture(self, chat_id: int, png: bytes, caption: str) -> int:
        """Send a PNG picture with a caption; return its message id."""
        ...
