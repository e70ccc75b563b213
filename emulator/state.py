"""Everything the emulated Telegram knows: users, chats, pending updates, calls and files."""

from __future__ import annotations

import asyncio
import copy
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from emulator.flood import FloodControl
from emulator.model import Chat, User

T = TypeVar("T")

FaultKind = Literal["429", "500", "drop", "drop_after", "hang", "hang_after"]
# Methods the chaos mode may fail: what a bot sends (not how it polls or starts).
SENDING_METHODS = frozenset(
    {
        "sendmessage",
        "editmessagetext",
        "editmessagereplymarkup",
        "answercallbackquery",
        "sendphoto",
        "senddocument",
        "deletemessage",
    }
)

# Telegram's default when allowed_updates is empty: everything but these three.
NOT_ALLOWED_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


@dataclass
class Fault:
    """The next `remaining` calls of `method` (None = any method) fail as `kind`."""

    method: str | None
    remaining: int
    kind: FaultKind
    retry_after: int = 1


@dataclass
class Chaos:
    """Fail a share of calls at random: each call of `methods` fails with probability `rate`,
    as one of `kinds` (429 with `retry_after`, 500, a cut connection before or after the call
    takes effect, or a hang of `hang` seconds before or after it takes effect)."""

    rate: float
    kinds: tuple[FaultKind, ...]
    methods: frozenset[str] = SENDING_METHODS
    retry_after: int = 1
    hang: float = 3.0
    rng: random.Random = field(default_factory=random.Random)
    # Calls drawn for, and the faults they met, by kind.
    calls: int = 0
    faults: Counter[str] = field(default_factory=Counter)

    def draw(self, method: str) -> Fault | None:
        """Return the failure this call meets, if any."""
        if method.lower() not in self.methods:
            return None
        self.calls += 1
        if self.rng.random() >= self.rate:
            return None
        kind = self.rng.choice(self.kinds)
        self.faults[kind] += 1
        return Fault(method.lower(), 1, kind, self.retry_after)


@dataclass(frozen=True)
class Slow:
    """Calls of `method` (None: any) to `chat_id` (None: any chat) take `seconds` longer."""

    seconds: float
    method: str | None = None
    chat_id: int | None = None


@dataclass(frozen=True)
class CallRecord:
    """One Bot API call as the emulator saw it, in arrival order."""

    seq: int
    method: str
    params: dict[str, Any]
    ok: bool
    error_code: int | None
    description: str | None
    result: Any


@dataclass(frozen=True)
class StoredFile:
    """A file held by the emulator, downloadable through getFile and the file URL."""

    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes
    file_name: str | None
    mime_type: str | None


@dataclass
class CallbackQuery:
    """A button press sent to the bot and what the bot answered, if it did."""

    id: str
    chat_id: int
    message_id: int
    data: str
    user_id: int
    answer: dict[str, Any] | None = None


@dataclass
class EmulatorState:
    """Mutable state of one emulated bot; every change wakes the waiters."""

    token: str
    bot: User
    privacy_mode: bool = True
    clock: Callable[[], float] = time.time
    users: dict[int, User] = field(default_factory=dict)
    chats: dict[int, Chat] = field(default_factory=dict)
    pending: list[dict[str, Any]] = field(default_factory=list)
    next_update_id: int = 1
    allowed_updates: frozenset[str] | None = None
    webhook: dict[str, Any] = field(default_factory=dict)
    commands: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    calls: list[CallRecord] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    callback_queries: dict[str, CallbackQuery] = field(default_factory=dict)
    files: dict[str, StoredFile] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    # Telegram's flood limits, when the emulator enforces them (off by default).
    flood: FloodControl | None = None
    chaos: Chaos | None = None
    slow: list[Slow] = field(default_factory=list)
    # Several processes poll at once (replicas behind one bot): each update goes to one of
    # them, and no poll ends another with 409 (Telegram itself allows one poller).
    shared_polling: bool = False
    poll_generation: int = 0
    closing: bool = False
    _changed: asyncio.Event = field(default_factory=asyncio.Event)
    _next_id: int = 1

    def now(self) -> int:
        """Return the Unix time Telegram would stamp on a message."""
        return int(self.clock())

    def take_id(self) -> int:
        """Return a fresh number for callback query and file ids."""
        value = self._next_id
        self._next_id += 1
        return value

    def notify(self) -> None:
        """Wake everyone waiting for a change (long polls and test waits)."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_until(self, probe: Callable[[], T | None]) -> T | None:
        """Return the first non-None `probe()` result, re-checking on each change.

        Callers bound the wait with `asyncio.timeout`; closing the emulator ends it with None.
        """
        while True:
            result = probe()
            if result is not None or self.closing:
                return result
            await self._changed.wait()

    async def wait_for(self, probe: Callable[[], T | None], seconds: float) -> T | None:
        """Like `wait_until`, but give up after `seconds` and return the last `probe()`."""
        try:
            async with asyncio.timeout(seconds):
                return await self.wait_until(probe)
        except TimeoutError:
            return probe()

    def is_allowed(self, kind: str) -> bool:
        """Tell whether the bot's last allowed_updates lets an update of `kind` through."""
        if self.allowed_updates is None:
            return kind not in NOT_ALLOWED_BY_DEFAULT
        return kind in self.allowed_updates

    def queue_update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any] | None:
        """Queue an update for getUpdates (update ids increase globally); None if filtered."""
        if not self.is_allowed(kind):
            return None
        update = {"update_id": self.next_update_id, kind: copy.deepcopy(payload)}
        self.next_update_id += 1
        self.pending.append(update)
        self.notify()
        return update

    def record_event(self, kind: str, chat_id: int | None, **data: Any) -> None:
        """Append an observable change (message sent, edited, answered…) to the event log."""
        event = {"seq": len(self.events) + 1, "kind": kind, "chat_id": chat_id}
        event.update(copy.deepcopy(data))
        self.events.append(event)
        self.notify()

    def record_call(self, method: str, params: dict[str, Any], outcome: dict[str, Any]) -> None:
        """Log a Bot API call with its answer."""
        self.calls.append(
            CallRecord(
                seq=len(self.calls) + 1,
                method=method,
                params=params,
                ok=bool(outcome.get("ok")),
                error_code=outcome.get("error_code"),
                description=outcome.get("description"),
                result=copy.deepcopy(outcome.get("result")),
            )
        )
        self.notify()

    def take_fault(self, method: str) -> Fault | None:
        """Consume one injected failure for `method`, if any is armed; else draw one from
        the chaos mode, if it is on."""
        for fault in self.faults:
            if fault.remaining > 0 and fault.method in (None, method.lower()):
                fault.remaining -= 1
                return fault
        return self.chaos.draw(method) if self.chaos is not None else None

    def delay_of(self, method: str, chat_id: Any) -> float:
        """Return how much longer this call takes (slow chats)."""
        total = 0.0
        for slow in self.slow:
            if slow.method not in (None, method.lower()):
                continue
            if slow.chat_id is not None and str(slow.chat_id) != str(chat_id):
                continue
            total += slow.seconds
        return total

    def store_file(
        self, data: bytes, folder: str, file_name: str | None, mime: str | None
    ) -> StoredFile:
        """Keep uploaded bytes and return their file ids and path."""
        number = self.take_id()
        suffix = f".{file_name.rsplit('.', 1)[1]}" if file_name and "." in file_name else ""
        stored = StoredFile(
            file_id=f"{folder[:3].upper()}-{number:06d}-emu",
            file_unique_id=f"U{number:06d}",
            file_path=f"{folder}/file_{number}{suffix}",
            data=data,
            file_name=file_name,
            mime_type=mime,
        )
        self.files[stored.file_id] = stored
        return stored

    def close(self) -> None:
        """Release every open long poll so the server can stop at once."""
        self.closing = True
        self.notify()
