"""What a person did in a chat, on any channel, and how the bot answers in that chat.

A channel adapter (`bot/telegram/`, `bot/wecom/`) turns its platform's update into an
`Incoming` and hands it, with a `Conversation` over its `Channel`, to `bot.router.handle`.
The handlers in `bot/handlers/` see only these: no chat library, no platform's ids.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Literal, TypeVar

from core.binding import binding_of
from core.buttons import Button, Press
from core.channel import Attachment, Channel, ChatRef, OutgoingMessage, TryLater, Undeliverable
from core.runtime import Core
from storage.chats import chat_key
from storage.records import BindingRecord

Event = Literal["message", "press", "joined", "left"]
T = TypeVar("T")

# A reply the channel could not take is tried again at once, after these waits (seconds); a
# longer wait than the last (a named 429) is not waited for: the person is not kept waiting.
REPLY_RETRY_DELAYS = (0.2, 0.5, 1.0)

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Person:
    """Who wrote or pressed: the channel's id for them, and their name as colleagues write it."""

    id: str
    name: str


@dataclass(frozen=True, slots=True)
class IncomingFile:
    """A photo or file someone sent: what it is, and how to fetch its bytes."""

    ref: str
    kind: Literal["photo", "document"]
    name: str | None = None
    mime_type: str | None = None
    size: int | None = None
    fetch: Callable[[], Awaitable[bytes]] | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Incoming:
    """One thing a person did in a chat, in channel-neutral terms."""

    chat: ChatRef
    person: Person
    private: bool
    # The channel's unique id of this update (`telegram:1234`): handled twice, recorded once.
    key: str
    event: Event = "message"
    text: str = ""
    # The message this one replies to (channels with replies), and whether the bot wrote it.
    reply_to: str | None = None
    reply_to_bot: bool = False
    # A press: what the button means (None when its data is not ours: forged or stale),
    # and the reference through which the pressed message can be edited.
    press: Press | None = None
    press_ref: str | None = None
    file: IncomingFile | None = None
    title: str | None = None


Acknowledge = Callable[[str | None, bool], Awaitable[None]]


class DialogueMemory:
    """What the dialogue remembers between updates in one process (nothing that matters
    after a restart: the ledger holds every question and answer)."""

    # A private chat is told how to report at most this often (seconds), not after every line.
    HINT_EVERY = 3600.0

    def __init__(self) -> None:
        self._hinted: dict[int, float] = {}

    def may_hint(self, chat_id: int) -> bool:
        """Return whether a chat may be given the how-to-report hint now (and note it)."""
        now = time.monotonic()
        if now - self._hinted.get(chat_id, -self.HINT_EVERY) < self.HINT_EVERY:
            return False
        self._hinted[chat_id] = now
        return True


class Conversation:
    """Answer in the chat an update came from, through its channel; remember its binding."""

    def __init__(
        self,
        core: Core,
        incoming: Incoming,
        channel: Channel,
        acknowledge: Acknowledge | None = None,
        memory: DialogueMemory | None = None,
    ) -> None:
        self.core = core
        self.memory = memory or DialogueMemory()
        self.incoming = incoming
        self.channel = channel
        self._acknowledge = acknowledge
        self._acknowledged = False
        self._binding: BindingRecord | None = None
        self._looked_up = False
        # Whether the person has been told anything yet: after that, an error is not retried
        # (nothing is said twice) and never contradicts what was said.
        self.spoke = False

    async def binding(self) -> BindingRecord | None:
        """Return what this chat is bound to, or None."""
        if not self._looked_up:
            self._binding = await binding_of(self.core, self.incoming.chat)
            self._looked_up = True
        return self._binding

    async def chat_key(self) -> int:
        """Return the ledger's key for this chat (recording the chat on first sight)."""
        binding = await self.binding()
        if binding is not None:
            return binding.chat_id
        async with self.core.db.session() as session:
            return await chat_key(
                session,
                self.incoming.chat.channel,
                self.incoming.chat.address,
                self.core.now(),
                self.incoming.title,
            )

    async def say(self, text: str) -> str:
        """Send a message to this chat; return its reference."""
        self.spoke = True
        address = self.incoming.chat.address
        return await _again(lambda: self.channel.send(address, OutgoingMessage(text)))

    async def ask(self, text: str, buttons: tuple[tuple[Button, ...], ...] = ()) -> str:
        """Send a question whose reply the bot needs; return its reference."""
        self.spoke = True
        message = OutgoingMessage(text, buttons, expects_reply=not buttons)
        return await _again(lambda: self.channel.send(self.incoming.chat.address, message))

    async def edit(self, ref: str, message: OutgoingMessage) -> None:
        """Replace a message the bot sent in this chat."""
        await _again(lambda: self.channel.edit(self.incoming.chat.address, ref, message))

    async def attach(self, attachment: Attachment) -> str:
        """Send a file or picture to this chat."""
        self.spoke = True
        address = self.incoming.chat.address
        return await _again(lambda: self.channel.send_attachment(address, attachment))

    async def acknowledge(self, text: str | None = None, alert: bool = False) -> None:
        """Answer a press (a toast where the channel has them); at most once per update.

        A toast the channel will not take (after quick retries; Telegram refuses a press
        answered too late) is logged, its text is said in the chat instead, and the handling
        goes on: what follows (the question a press asks, the edited prompt) still matters.
        """
        acknowledge = self._acknowledge
        if self._acknowledged or self.incoming.event != "press" or acknowledge is None:
            return
        self._acknowledged = True
        self.spoke = self.spoke or bool(text)
        try:
            await _again(lambda: acknowledge(text, alert))
        except (TryLater, Undeliverable) as exc:
            log.warning("%s: the press's toast was not taken: %s", self.incoming.key, exc)
            if text:
                await self.say(text)

    async def tell(self, text: str, alert: bool = False) -> None:
        """Say something about a press as its toast where there is one, else as a message."""
        toast = self.incoming.event == "press" and self._acknowledge is not None
        if toast and not self._acknowledged:
            await self.acknowledge(text, alert)
        else:
            await self.say(text)


async def _again(attempt: Callable[[], Awaitable[T]]) -> T:
    """Run a call to the channel, trying again quickly while it says to try later."""
    for delay in (*REPLY_RETRY_DELAYS, None):
        try:
            return await attempt()
        except TryLater as exc:
            wait = exc.after.total_seconds() if exc.after is not None else delay
            if delay is None or wait is None or wait > REPLY_RETRY_DELAYS[-1] * 2:
                raise
            await asyncio.sleep(wait)
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises
