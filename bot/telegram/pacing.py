"""Every message the bot sends, at Telegram's pace: PTB's rate limiter backed by `core.pacing`.

One `PacedLimiter` per bot paces every call that puts a message in a chat (the outbox's
deliveries and the dialogue's replies alike) with one `Pacer`: one send every 1/30 s overall,
one every 3 s to a group, one a second to a private chat, each chat's messages in the order
they were asked for. Unlike PTB's `AIORateLimiter` it never bursts, so a strict server
answers no 429 at all. A 429 anyway (another process on the same bot, a server stricter
than documented) holds that chat for the `retry_after` Telegram named and tries again, a
bounded number of times; then the `RetryAfter` goes to the caller (the channel makes it a
`TryLater`, and the outbox tries the row again later).

Edits and answers to button presses are not paced (they put no new message in the chat and
must feel instant), but a 429 on them is honoured the same way. The pacer runs on the event
loop's clock, so a test on virtual time paces on virtual time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from core.pacing import ChatKind, Limits, Pacer, loop_time

log = logging.getLogger(__name__)

# The calls that put a new message in a chat: the ones Telegram's flood limits count.
PACED = frozenset(
    {
        "sendmessage",
        "sendphoto",
        "senddocument",
        "sendaudio",
        "sendvideo",
        "sendanimation",
        "sendvoice",
        "sendvideonote",
        "sendmediagroup",
        "sendlocation",
        "sendvenue",
        "sendcontact",
        "sendpoll",
        "senddice",
        "sendsticker",
        "sendinvoice",
        "copymessage",
        "copymessages",
        "forwardmessage",
        "forwardmessages",
    }
)

JSON = bool | dict[str, Any] | list[dict[str, Any]]


def telegram_limits(overall: float, group_per_minute: float, private_per_second: float) -> Limits:
    """Return the limits to pace by; a rate of 0 lifts that limit (a benchmark measuring
    the bot itself)."""
    per_chat: dict[ChatKind, tuple[int, float]] = {}
    if group_per_minute > 0:
        per_chat["group"] = _window(group_per_minute, 60.0)
    if private_per_second > 0:
        per_chat["private"] = _window(private_per_second, 1.0)
    return Limits(overall if overall > 0 else None, per_chat)


def _window(rate: float, seconds: float) -> tuple[int, float]:
    """Return `rate` per `seconds` as whole messages per window (0.5/s → 1 per 2 s)."""
    if rate >= 1:
        return round(rate), seconds
    return 1, seconds / rate


def chat_of(data: dict[str, Any]) -> tuple[int | str, ChatKind] | None:
    """Return the chat a call goes to and its kind (negative ids and @names are groups)."""
    chat_id = data.get("chat_id")
    if chat_id is None:
        return None
    with contextlib.suppress(ValueError, TypeError):
        chat_id = int(chat_id)
    if isinstance(chat_id, int):
        return chat_id, "group" if chat_id < 0 else "private"
    return str(chat_id), "group"


def retry_after_seconds(exc: RetryAfter) -> float:
    """Return the wait a 429 named, in seconds (PTB gives an int or a timedelta)."""
    wait = exc.retry_after
    return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)


class PacedLimiter(BaseRateLimiter[int]):
    """PTB's rate limiter interface over one `Pacer` (per bot); `rate_limit_args` is the
    number of retries after a 429 for one call."""

    def __init__(
        self,
        limits: Limits,
        max_retries: int = 3,
        *,
        clock: Callable[[], float] = loop_time,
        sleep: Callable[[float], Coroutine[Any, Any, object]] = asyncio.sleep,
    ) -> None:
        self.pacer = Pacer(limits, clock=clock, sleep=sleep)
        self._max_retries = max_retries
        self._sleep = sleep
        # 429s answered to this bot so far (each one held its chat for its retry_after).
        self.refused = 0

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSON]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> JSON:
        """Make the call in the chat's turn; after a 429, hold the chat and try again."""
        retries = self._max_retries if rate_limit_args is None else rate_limit_args
        chat = chat_of(data)
        paced = chat is not None and endpoint.lower() in PACED
        for attempt in range(retries + 1):
            try:
                if paced and chat is not None:
                    async with self.pacer.slot(*chat):
                        return await callback(*args, **kwargs)
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                self.refused += 1
                wait = retry_after_seconds(exc)
                if chat is not None:
                    self.pacer.hold(wait, chat[0])
                if attempt == retries:
                    # The outbox puts the row back for later and says so in its batch line.
                    log.debug("%s: 429 after %d retries; giving it back", endpoint, retries)
                    raise
                log.debug("%s: 429, retrying in %.0f s", endpoint, wait)
                if not paced:
                    # A paced call waits out the hold in its next turn.
                    await self._sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover
