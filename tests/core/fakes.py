"""A recording in-memory Channel, with failures scripted per call."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.channel import Buttons, TryLater, Undeliverable


@dataclass
class Sent:
    """One message the fake channel accepted."""

    chat_id: int
    text: str
    buttons: Buttons | None
    message_id: int


@dataclass
class FakeChannel:
    """Accepts messages into `sent`; `failures` are raised first, one per call, in order."""

    failures: list[Exception] = field(default_factory=list)
    gone: set[int] = field(default_factory=set)
    sent: list[Sent] = field(default_factory=list)
    pictures: list[tuple[int, str]] = field(default_factory=list)
    calls: int = 0

    async def send_text(self, chat_id: int, text: str, buttons: Buttons | None) -> int:
        """Record the message, or raise the next scripted failure."""
        self.calls += 1
        if chat_id in self.gone:
            raise Undeliverable("Forbidden: bot was kicked from the group chat")
        if self.failures:
            raise self.failures.pop(0)
        message = Sent(chat_id, text, buttons, len(self.sent) + 1)
        self.sent.append(message)
        return message.message_id

    async def send_picture(self, chat_id: int, png: bytes, caption: str) -> int:
        """Record a picture."""
        if chat_id in self.gone:
            raise Undeliverable("Forbidden: bot was kicked from the group chat")
        self.pictures.append((chat_id, caption))
        return len(self.sent) + len(self.pictures)


def retry_after(seconds: int) -> TryLater:
    """Return the failure a 429 with retry_after becomes."""
    from datetime import timedelta

    return TryLater("Flood control exceeded", timedelta(seconds=seconds))
