"""Drive the real bot over real HTTP through the emulator; read the exchange as dialogue."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.telegram.app import TelegramConfig
from core.runtime import Core, CoreConfig
from core.sender import OutboxSender
from core.worker import Worker, WorkerOptions
from emulator.model import User
from emulator.server import Emulator
from plan_data import default_plan_path
from scheduler.clock import FrozenClock
from service.runner import RunConfig, Running, serving
from storage.invites import create_invite

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2022, 6, 23, 8, 59, tzinfo=SHANGHAI)
"""A Thursday: 2.3 (社救科, 协议签署 by 6月30日) is prompted at 09:00 (D-7)."""
WAIT = 10.0

Message = dict[str, Any]


@dataclass(frozen=True)
class Chat:
    """A chat in the emulator and the person who types in it."""

    id: int
    user: User
    title: str


def text_of(message: Message) -> str:
    """Return a message's text or caption."""
    return str(message.get("text") or message.get("caption") or "")


def buttons_of(message: Message) -> list[dict[str, str]]:
    """Return every inline button of a message, row by row."""
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    return [button for row in rows for button in row]


class Harness:
    """One emulator, one database, and the bot that can be started and stopped on them."""

    def __init__(
        self, emu: Emulator, database_url: str, clock: FrozenClock, run_scheduler: bool = False
    ) -> None:
        self.emu = emu
        self.run_scheduler = run_scheduler
        self.database_url = database_url
        self.clock = clock
        self.running: Running | None = None
        # CoreConfig fields a test sets before start() (e.g. the board's address).
        self.core_overrides: dict[str, Any] = {}
        self._stack: AsyncExitStack | None = None
        self._people = 0

    def config(self) -> RunConfig:
        """Return the service's configuration against this emulator (timers off unless asked)."""
        return RunConfig(
            CoreConfig(self.database_url, default_plan_path(), **self.core_overrides),
            telegram=TelegramConfig(
                token=self.emu.token,
                api_base_url=self.emu.base_url,
                poll_timeout=1,
                group_max_rate=0,
                private_max_rate=0,
            ),
            worker=WorkerOptions(timers=self.run_scheduler, drain_interval=0.2),
        )

    async def start(self) -> None:
        """Start the service (the core opens the database)."""
        self._stack = AsyncExitStack()
        self.running = await self._stack.enter_async_context(serving(self.config(), self.clock))

    async def stop(self) -> None:
        """Stop the service the way SIGTERM would."""
        if self._stack is not None:
            await self._stack.aclose()
        self._stack = None
        self.running = None

    @property
    def core(self) -> Core:
        """Return the running core."""
        assert self.running is not None
        return self.running.core

    @property
    def worker(self) -> Worker:
        """Return the running worker (scheduler passes and delivery)."""
        assert self.running is not None
        return self.running.worker

    @property
    def sender(self) -> OutboxSender:
        """Return the running outbox sender."""
        return self.worker.sender

    # --- people and chats ---------------------------------------------------------------

    def group(self, title: str, person: str, *, sees_all: bool = False) -> Chat:
        """Create a group with one person in it."""
        self._people += 1
        user = self.emu.add_user(person, f"user{self._people}")
        # sees_all: the bot is an admin (or privacy mode is off), so it gets every message.
        chat = self.emu.add_group(title, bot_is_admin=sees_all)
        return Chat(chat.id, user, title)

    def private(self, person: str) -> Chat:
        """Create a private chat between a person and the bot."""
        self._people += 1
        user = self.emu.add_user(person, f"user{self._people}")
        chat = self.emu.add_private_chat(user)
        return Chat(chat.id, user, person)

    async def invite(self, unit: str | None) -> str:
        """Make an invite code as `duban invite` does."""
        async with self.core.db.session() as session:
            return (await create_invite(session, unit, self.clock.now())).code

    async def bound(
        self, title: str, person: str, unit: str | None, *, sees_all: bool = False
    ) -> Chat:
        """Create a group and bind it through the real /bind flow."""
        chat = self.group(title, person, sees_all=sees_all)
        await self.say(chat, f"/bind {await self.invite(unit)}", expect="已绑定")
        return chat

    # --- talking ------------------------------------------------------------------------

    def last_id(self, chat: Chat) -> int:
        """Return the id of the newest message in a chat."""
        return max((m["message_id"] for m in self.emu.messages(chat.id)), default=0)

    async def say(
        self,
        chat: Chat,
        text: str,
        *,
        reply_to: int | None = None,
        expect: str | None = None,
    ) -> Message:
        """Write as the chat's person; return the bot's next message (containing `expect`)."""
        sent = self.emu.send(chat.id, chat.user, text, reply_to)
        return await self.next_message(chat, after=sent["message_id"], containing=expect)

    async def next_message(
        self, chat: Chat, *, after: int = 0, containing: str | None = None
    ) -> Message:
        """Wait for a bot message in the chat newer than `after` (containing some text)."""
        return await self.emu.wait_for_bot_message(
            chat.id, _containing(containing), after=after, timeout=WAIT
        )

    async def press(self, chat: Chat, message: Message, label: str, *, row: int = 0) -> str:
        """Press the button whose text contains `label` (in the given item row)."""
        rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
        button = next(b for b in rows[row] if label in b["text"])
        return self.emu.press(chat.id, message["message_id"], button["callback_data"], chat.user)

    async def answer_of(self, query_id: str) -> dict[str, Any]:
        """Wait until the bot answered a button press; return the answer."""
        found = await self.emu.state.wait_for(lambda: self.emu.callback_answer(query_id), WAIT)
        assert found is not None, "the bot never answered the button press"
        return found

    async def at(self, when: datetime) -> None:
        """Move the clock to `when` and let the scheduler and the sender run once."""
        self.clock.set(when)
        await self.worker.run_pass()

    def bot_texts(self, chat: Chat) -> list[str]:
        """Return the texts of every bot message in the chat, as they are now."""
        return [text_of(m) for m in self.emu.bot_messages(chat.id)]


def _containing(text: str | None) -> Callable[[Message], bool] | None:
    if text is None:
        return None
    return lambda message: text in text_of(message)
