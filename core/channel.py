"""A chat channel as the core sees it: send, edit, send a file or a picture.

Telegram (`bot/telegram/`) and WeCom (`bot/wecom/`) implement `Channel`. A message carries
*semantic* buttons (`core.buttons`); each channel lays them out and encodes them its own way,
and splits or refuses text over its own length limit. Nothing here imports a chat library.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Protocol

from core.buttons import Button


@dataclass(frozen=True, slots=True)
class ChatRef:
    """Where a conversation happens: a channel name and the channel's own address for it.

    Telegram: `("telegram", "-1001234")` (a chat id); WeCom: `("wecom", "zhangsan")` (a member's
    userid, since an app talks to members one by one).
    """

    channel: str
    address: str


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """A message to show: a title (a card's heading), the text, and rows of buttons."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    title: str | None = None
    # Markdown is allowed in the text (WeCom robots and digests); channels without it send plain.
    markdown: bool = False
    # Ask for a reply (Telegram: ForceReply), so that in a group the answer reaches the bot.
    expects_reply: bool = False


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file or picture to send."""

    data: bytes
    filename: str
    caption: str = ""
    picture: bool = False
    mime_type: str = field(default="application/octet-stream")


class Undeliverable(Exception):
    """The chat will never take this message (the bot was removed, the member is gone)."""


class TryLater(Exception):
    """The channel could not take the message now; `after` is how long it asked us to wait."""

    def __init__(self, reason: str, after: timedelta | None = None) -> None:
        super().__init__(reason)
        self.after = after


class PartlySent(TryLater):
    """A message that goes out in parts (long text, several cards) stopped after `sent` parts;
    a retry passes `first_part=sent`, so no part is sent twice."""

    def __init__(self, sent: int, cause: TryLater) -> None:
        super().__init__(f"{sent} part(s) sent, then: {cause}", cause.after)
        self.sent = sent


class Channel(Protocol):
    """One chat platform, as the outbox sender and the dialogue use it."""

    @property
    def name(self) -> str:
        """Return the channel's name as stored with chats ("telegram", "wecom")."""
        ...

    async def send(self, address: str, message: OutgoingMessage, first_part: int = 0) -> str:
        """Send a message from part `first_part` on (0: all of it); return the channel's
        reference to it. A failure after some parts went raises `PartlySent`."""
        ...

    async def edit(self, address: str, ref: str, message: OutgoingMessage) -> None:
        """Replace a sent message's text and buttons (ref: from `send`, or a press's ref)."""
        ...

    async def send_attachment(self, address: str, attachment: Attachment) -> str:
        """Send a file or a picture; return the channel's reference to it."""
        ...


async def send_in_parts(parts: Sequence[Callable[[], Awaitable[str]]], first_part: int) -> str:
    """Send parts in order from `first_part`; return the last one's reference. A `TryLater`
    after at least one part went becomes `PartlySent` with the count to resume from."""
    ref = ""
    for index in range(first_part, len(parts)):
        try:
            ref = await parts[index]()
        except PartlySent:
            raise
        except TryLater as exc:
            if index == 0:
                raise
            raise PartlySent(index, exc) from exc
    return ref
