"""The Emulator: an aiohttp app serving the Bot API on loopback, plus a control API for tests."""

from __future__ import annotations

import copy
import ipaddress
import random
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import web

from emulator import actions
from emulator.bot_api import STATE_KEY, add_bot_routes
from emulator.control import add_control_routes
from emulator.errors import ControlError
from emulator.flood import FloodControl, FloodLimits
from emulator.model import Chat, ChatType, User
from emulator.state import (
    SENDING_METHODS,
    CallbackQuery,
    CallRecord,
    Chaos,
    EmulatorState,
    Fault,
    FaultKind,
    Slow,
)

DEFAULT_TOKEN = "123456789:emulator-token-not-a-secret"  # noqa: S105 - the emulator's own fake


Message = dict[str, Any]
MessagePredicate = Callable[[Message], bool]


class Emulator:
    """One emulated bot on a local Telegram; act as users and watch what the bot does."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        bot_username: str = "duban_test_bot",
        bot_name: str = "督办助手",
        privacy_mode: bool = True,
        clock: Callable[[], float] = time.time,
        flood_limits: FloodLimits | None = None,
        flood_clock: Callable[[], float] = time.monotonic,
        shared_polling: bool = False,
    ) -> None:
        """Make an emulator; with `flood_limits` it answers 429 when a send crosses one.

        `clock` stamps message dates (a drill clock may be frozen); `flood_clock` measures
        the flood windows and must move (monotonic seconds, or a test's virtual time).
        """
        bot_id = int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 123456789
        bot = User(bot_id, bot_name, bot_username, is_bot=True)
        self.state = EmulatorState(token=token, bot=bot, privacy_mode=privacy_mode, clock=clock)
        if flood_limits is not None:
            self.state.flood = FloodControl(flood_limits, flood_clock)
        self.state.shared_polling = shared_polling
        self.app = web.Application()
        self.app[STATE_KEY] = self.state
        add_bot_routes(self.app)
        add_control_routes(self.app)
        self.app.on_shutdown.append(self._release_polls)
        self.base_url = ""
        self.base_file_url = ""
        self.control_url = ""

    @property
    def token(self) -> str:
        """The bot token this emulator accepts."""
        return self.state.token

    @property
    def bot(self) -> User:
        """The bot's own user."""
        return self.state.bot

    @classmethod
    @asynccontextmanager
    async def running(
        cls,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        token: str = DEFAULT_TOKEN,
        bot_username: str = "duban_test_bot",
        bot_name: str = "督办助手",
        privacy_mode: bool = True,
        clock: Callable[[], float] = time.time,
        flood_limits: FloodLimits | None = None,
        flood_clock: Callable[[], float] = time.monotonic,
        shared_polling: bool = False,
    ) -> AsyncIterator[Emulator]:
        """Serve an emulator on loopback for the duration of the block."""
        if host != "localhost" and not ipaddress.ip_address(host).is_loopback:
            raise ValueError(f"the emulator serves loopback only, not {host}")
        emulator = cls(
            token,
            bot_username,
            bot_name,
            privacy_mode,
            clock,
            flood_limits,
            flood_clock,
            shared_polling,
        )
        runner = web.AppRunner(emulator.app, shutdown_timeout=0.5, access_log=None)
        await runner.setup()
        try:
            site = web.TCPSite(runner, host, port)
            await site.start()
            bound = runner.addresses[0][1]
            emulator.set_address(host, bound)
            yield emulator
        finally:
            emulator.state.close()
            await runner.cleanup()

    def set_address(self, host: str, port: int) -> None:
        """Record where the server listens, for the URLs handed to clients."""
        root = f"http://{host}:{port}"
        self.base_url = f"{root}/bot"
        self.base_file_url = f"{root}/file/bot"
        self.control_url = f"{root}/_emulator"

    async def _release_polls(self, app: web.Application) -> None:
        self.state.close()

    # --- people and chats -------------------------------------------------------------

    def add_user(
        self,
        first_name: str,
        username: str | None = None,
        user_id: int | None = None,
        last_name: str | None = None,
    ) -> User:
        """Create a user."""
        return actions.add_user(self.state, first_name, username, user_id, last_name)

    def add_private_chat(self, user: User) -> Chat:
        """Create the private chat between `user` and the bot (its id is the user's id)."""
        return actions.add_chat(self.state, "private", user=user)

    def add_group(
        self,
        title: str,
        supergroup: bool = False,
        chat_id: int | None = None,
        bot_is_admin: bool = False,
    ) -> Chat:
        """Create a group (or supergroup) with the bot in it."""
        kind: ChatType = "supergroup" if supergroup else "group"
        return actions.add_chat(
            self.state, kind, title=title, chat_id=chat_id, bot_is_admin=bot_is_admin
        )

    def remove_bot(self, chat_id: int, by: User | int | None = None) -> None:
        """Kick the bot from a group (or block it in a private chat); later sends get 403."""
        actions.set_bot_membership(self.state, chat_id, member=False, by=by)

    def restore_bot(self, chat_id: int, by: User | int | None = None) -> None:
        """Add the bot back to a chat it was removed from."""
        actions.set_bot_membership(self.state, chat_id, member=True, by=by)

    # --- acting as users --------------------------------------------------------------

    def send(
        self, chat_id: int, user: User | int, text: str, reply_to_message_id: int | None = None
    ) -> Message:
        """Write `text` as `user`; return the stored Message (queued if the bot may see it)."""
        return actions.send_text(self.state, chat_id, user, text, reply_to_message_id)

    def press(
        self,
        chat_id: int,
        message_id: int,
        callback_data: str,
        user: User | int,
        force: bool = False,
    ) -> str:
        """Press a button on a bot message; refuses a button that is not there unless forced."""
        return actions.press(self.state, chat_id, message_id, callback_data, user, force)

    def send_photo(
        self,
        chat_id: int,
        user: User | int,
        data: bytes = actions.DEFAULT_PHOTO,
        caption: str | None = None,
        reply_to_message_id: int | None = None,
    ) -> Message:
        """Send a photo as `user`."""
        return actions.send_photo(self.state, chat_id, user, data, caption, reply_to_message_id)

    def send_document(
        self,
        chat_id: int,
        user: User | int,
        data: bytes,
        file_name: str,
        mime_type: str = "application/octet-stream",
        caption: str | None = None,
        reply_to_message_id: int | None = None,
    ) -> Message:
        """Send a file as `user`."""
        return actions.send_document(
            self.state, chat_id, user, data, file_name, mime_type, caption, reply_to_message_id
        )

    # --- failure injection ------------------------------------------------------------

    def fail(
        self, method: str | None, times: int = 1, kind: FaultKind = "429", retry_after: int = 1
    ) -> None:
        """Make the next `times` calls of `method` (None: any) fail with 429, 500 or a drop."""
        self.state.faults.append(
            Fault(method.lower() if method else None, times, kind, retry_after)
        )

    def chaos(
        self,
        rate: float,
        kinds: tuple[FaultKind, ...] = ("429", "500", "hang", "hang_after"),
        *,
        seed: int | None = None,
        retry_after: int = 1,
        hang: float = 3.0,
        methods: frozenset[str] = SENDING_METHODS,
    ) -> None:
        """Fail each sending call with probability `rate`, as one of `kinds` (rate 0: calm)."""
        self.state.chaos = (
            Chaos(rate, kinds, methods, retry_after, hang, random.Random(seed))  # noqa: S311
            if rate
            else None
        )

    def slow(self, seconds: float, method: str | None = None, chat_id: int | None = None) -> None:
        """Make calls of `method` (None: any) to `chat_id` (None: any) take `seconds` longer."""
        self.state.slow.append(Slow(seconds, method.lower() if method else None, chat_id))

    def calm(self) -> None:
        """Stop every injected failure, chaos and slowness."""
        self.state.faults.clear()
        self.state.chaos = None
        self.state.slow.clear()

    # --- watching the bot -------------------------------------------------------------

    def messages(self, chat_id: int) -> list[Message]:
        """Return every message in a chat, bot's edits applied, oldest first."""
        return copy.deepcopy(list(actions.chat_of(self.state, chat_id).messages.values()))

    def bot_messages(self, chat_id: int) -> list[Message]:
        """Return the bot's messages in a chat as they are now (after edits), oldest first."""
        return [m for m in self.messages(chat_id) if m["from"]["id"] == self.bot.id]

    def message(self, chat_id: int, message_id: int) -> Message:
        """Return one message as it is now."""
        found = actions.chat_of(self.state, chat_id).messages.get(message_id)
        if found is None:
            raise ControlError(f"no message {message_id} in chat {chat_id}")
        return copy.deepcopy(found)

    @property
    def calls(self) -> list[CallRecord]:
        """Every Bot API call so far, in order."""
        return list(self.state.calls)

    def calls_of(self, method: str) -> list[CallRecord]:
        """The calls of one method (case-insensitive)."""
        return [c for c in self.state.calls if c.method.lower() == method.lower()]

    @property
    def events(self) -> list[dict[str, Any]]:
        """Observable changes (sent, edited, callback_answer, user_message, press…) in order."""
        return copy.deepcopy(self.state.events)

    def callback_answer(self, query_id: str) -> dict[str, Any] | None:
        """Return how the bot answered a press, or None while unanswered."""
        return copy.deepcopy(self._callback_query(query_id).answer)

    async def wait_for_callback_answer(
        self,
        query_id: str,
        timeout: float = 5.0,  # noqa: ASYNC109 - as above
    ) -> dict[str, Any]:
        """Wait until the bot answers the press `query_id`; return the answer."""
        query = self._callback_query(query_id)
        found = await self.state.wait_for(lambda: query.answer, timeout)
        if found is None:
            raise TimeoutError(f"callback query {query_id} was not answered")
        return copy.deepcopy(found)

    def _callback_query(self, query_id: str) -> CallbackQuery:
        query = self.state.callback_queries.get(query_id)
        if query is None:
            raise ControlError(f"no callback query {query_id}")
        return query

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates the bot has not confirmed yet."""
        return copy.deepcopy(self.state.pending)

    async def wait_for_bot_message(
        self,
        chat_id: int,
        predicate: MessagePredicate | None = None,
        *,
        after: int = 0,
        timeout: float = 5.0,  # noqa: ASYNC109 - the contract E2 uses; failure names the chat
    ) -> Message:
        """Wait until a bot message with id > `after` in the chat (as now, after edits) matches."""

        bot_id = self.bot.id

        def probe() -> Message | None:
            chat = self.state.chats.get(chat_id)
            if chat is None:
                return None
            # Message ids are consecutive per chat: look only at the ones after `after`.
            for message_id in range(after + 1, chat.next_message_id):
                message = chat.messages.get(message_id)
                if (
                    message is not None
                    and message["from"]["id"] == bot_id
                    and (predicate is None or predicate(message))
                ):
                    return copy.deepcopy(message)
            return None

        found = await self.state.wait_for(probe, timeout)
        if found is None:
            sent = [m.get("text") or m.get("caption") for m in self.bot_messages(chat_id)]
            raise TimeoutError(f"no matching bot message in chat {chat_id} after {after}: {sent}")
        return found

    async def wait_for_event(
        self,
        after: int = 0,
        timeout: float = 5.0,  # noqa: ASYNC109 - as above
    ) -> list[dict[str, Any]]:
        """Wait for events with seq > `after`; returns them (empty on timeout)."""
        found = await self.state.wait_for(lambda: self.state.events[after:] or None, timeout)
        return copy.deepcopy(found or [])

    async def wait_for_call(
        self,
        method: str,
        *,
        after: int = 0,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> CallRecord:
        """Wait for a call of `method` with seq > `after`."""

        def probe() -> CallRecord | None:
            return next(
                (c for c in self.state.calls[after:] if c.method.lower() == method.lower()), None
            )

        found = await self.state.wait_for(probe, timeout)
        if found is None:
            raise TimeoutError(f"no {method} call after #{after}")
        return found

    async def wait_until_idle(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until the bot has fetched every update (handled or not: that is the bot's)."""
        found = await self.state.wait_for(lambda: None if self.state.pending else True, timeout)
        if found is None:
            raise TimeoutError(f"{len(self.state.pending)} updates still pending")
