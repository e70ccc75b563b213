"""Everything the WeCom stand-in knows: members, tokens, messages, cards, media, robots, calls."""

from __future__ import annotations

import asyncio
import copy
import random
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

T = TypeVar("T")
FaultKind = Literal["45009", "expired_token", "5xx", "hang"]
FAULT_KINDS: tuple[FaultKind, ...] = ("45009", "expired_token", "5xx", "hang")

TOKEN_TTL = 7200  # gettoken's expires_in
RESPONSE_CODE_TTL = 72 * 3600  # a response_code is usable once within 72 hours
MEMBER_PER_MINUTE = 30  # an app may message one member 30 times a minute
ROBOT_PER_MINUTE = 20  # a group robot sends 20 messages a minute


@dataclass
class Fault:
    """The next `remaining` calls of `path` (None = any path) fail as `kind`."""

    kind: FaultKind
    remaining: int
    path: str | None = None


@dataclass(frozen=True)
class CallRecord:
    """One API call as the stand-in saw it (never with the token or the secret)."""

    seq: int
    path: str
    params: dict[str, str]
    body: Any
    errcode: int | None
    http_status: int


@dataclass
class AppMessage:
    """A message the app sent to a member, as the member sees it now (cards after updates)."""

    index: int
    msgid: str
    userid: str
    msgtype: str
    content: dict[str, Any]
    sent_at: float
    updates: list[dict[str, Any]] = field(default_factory=list)
    buttons_disabled: str | None = None  # replace_name once the buttons were greyed out

    @property
    def card(self) -> dict[str, Any] | None:
        """Return the template card as shown now, or None for other messages."""
        return self.content if self.msgtype == "template_card" else None

    def as_dict(self) -> dict[str, Any]:
        """Return a copy for tests: msgid, msgtype, the content, updates, disabled buttons."""
        return copy.deepcopy(
            {
                "index": self.index,
                "msgid": self.msgid,
                "userid": self.userid,
                "msgtype": self.msgtype,
                self.msgtype: self.content,
                "updates": self.updates,
                "buttons_disabled": self.buttons_disabled,
            }
        )


@dataclass
class ResponseCode:
    """A response_code WeCom handed out, for one card, usable once within 72 hours."""

    code: str
    userid: str
    msgid: str
    issued_at: float
    used: bool = False


@dataclass(frozen=True)
class StoredMedia:
    """An uploaded (or member-sent) media file."""

    media_id: str
    kind: str
    data: bytes
    filename: str
    content_type: str
    created_at: float


@dataclass
class WeComState:
    """Mutable state of the stand-in; every change wakes the waiters."""

    corp_id: str
    secret: str
    agent_id: int
    clock: Callable[[], float] = time.time
    members: dict[str, str] = field(default_factory=dict)  # userid -> name
    robots: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # key -> messages
    tokens: dict[str, float] = field(default_factory=dict)  # token -> expiry
    messages: dict[str, list[AppMessage]] = field(default_factory=dict)
    task_ids: set[str] = field(default_factory=set)
    response_codes: dict[str, ResponseCode] = field(default_factory=dict)
    media: dict[str, StoredMedia] = field(default_factory=dict)
    member_sends: dict[str, deque[float]] = field(default_factory=dict)
    robot_sends: dict[str, deque[float]] = field(default_factory=dict)
    calls: list[CallRecord] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    chaos: dict[FaultKind, float] = field(default_factory=dict)
    chaos_random: random.Random = field(default_factory=lambda: random.Random(0))  # noqa: S311
    hang_seconds: float = 60.0
    closing: bool = False
    _changed: asyncio.Event = field(default_factory=asyncio.Event)
    _next_id: int = 1

    def now(self) -> float:
        """Return the stand-in's time (injectable for token and response_code expiry)."""
        return self.clock()

    def take_id(self) -> int:
        """Return a fresh number for ids."""
        value = self._next_id
        self._next_id += 1
        return value

    def notify(self) -> None:
        """Wake everyone waiting for a change."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_for(self, probe: Callable[[], T | None], seconds: float) -> T | None:
        """Return the first non-None `probe()`, re-checked on each change; None after `seconds`."""
        try:
            async with asyncio.timeout(seconds):
                while True:
                    result = probe()
                    if result is not None or self.closing:
                        return result
                    await self._changed.wait()
        except TimeoutError:
            return probe()

    def record_call(
        self, path: str, params: dict[str, str], body: Any, errcode: int | None, status: int
    ) -> None:
        """Log one call (the token and the secret are dropped from the parameters)."""
        shown = {k: v for k, v in params.items() if k not in ("access_token", "corpsecret")}
        self.calls.append(
            CallRecord(len(self.calls) + 1, path, shown, copy.deepcopy(body), errcode, status)
        )
        self.notify()

    def take_fault(self, path: str) -> FaultKind | None:
        """Consume one injected failure for `path`, or draw one in chaos mode."""
        for fault in self.faults:
            if fault.remaining > 0 and fault.path in (None, path):
                fault.remaining -= 1
                return fault.kind
        for kind, probability in self.chaos.items():
            if self.chaos_random.random() < probability:
                return kind
        return None

    def within_rate(self, sends: dict[str, deque[float]], key: str, per_minute: int) -> bool:
        """Count one send for `key` unless `per_minute` sends happened in the last 60 s."""
        window = sends.setdefault(key, deque())
        now = self.now()
        while window and window[0] <= now - 60:
            window.popleft()
        if len(window) >= per_minute:
            return False
        window.append(now)
        return True

    def issue_response_code(self, userid: str, msgid: str) -> str:
        """Hand out a fresh response_code for a card."""
        code = f"RC{self.take_id():06d}emu"
        self.response_codes[code] = ResponseCode(code, userid, msgid, self.now())
        return code

    def message(self, msgid: str) -> AppMessage | None:
        """Find a sent message by msgid."""
        for messages in self.messages.values():
            for message in messages:
                if message.msgid == msgid:
                    return message
        return None

    def close(self) -> None:
        """Release hanging calls and waiters so the server can stop at once."""
        self.closing = True
        self.notify()
