"""A recording in-memory Channel, with failures scripted per call."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from core.channel import Attachment, OutgoingMessage, TryLater, Undeliverable

KICKED = "Forbidden: bot was kicked from the group chat"


@dataclass
class Sent:
    """One message the fake channel accepted."""

    address: str
    message: OutgoingMessage
    ref: str

    @property
    def text(self) -> str:
        """Return the message's text."""
        return self.message.text


@dataclass
class FakeChannel:
    """Accepts messages into `sent`; `failures` are raised first, one per call, in order."""

    failures: list[Exception] = field(default_factory=list)
    gone: set[str] = field(default_factory=set)
    sent: list[Sent] = field(default_factory=list)
    edits: list[tuple[str, str, OutgoingMessage]] = field(default_factory=list)
    attachments: list[tuple[str, Attachment]] = field(default_factory=list)
    calls: int = 0

    @property
    def name(self) -> str:
        """Return "fake"."""
        return "fake"

    async def send(self, address: str, message: OutgoingMessage, first_part: int = 0) -> str:
        """Record the message, or raise the next scripted failure."""
        self.calls += 1
        if address in self.gone:
            raise Undeliverable(KICKED)
        if self.failures:
            raise self.failures.pop(0)
        sent = Sent(address, message, str(len(self.sent) + len(self.attachments) + 1))
        self.sent.append(sent)
        return sent.ref

    async def edit(self, address: str, ref: str, message: OutgoingMessage) -> None:
        """Record an edit."""
        if address in self.gone:
            raise Undeliverable(KICKED)
        self.edits.append((address, ref, message))

    async def send_attachment(self, address: str, attachment: Attachment) -> str:
        """Record a file or picture."""
        if address in self.gone:
            raise Undeliverable(KICKED)
        self.attachments.append((address, attachment))
        return str(len(self.sent) + len(self.attachments))


def retry_after(seconds: int) -> TryLater:
    """Return the failure a 429 with retry_after becomes."""
    return TryLater("Flood control exceeded", timedelta(seconds=seconds))
