"""Play dialogue tables over Telegram: the real service, the emulator, real HTTP."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from emulator.model import User
from tests.bot.harness import WAIT, Harness, buttons_of, text_of
from tests.dialogue.script import STRANGER, Step, instant

# A read-only command: once the bot has answered it, every earlier message was handled.
PROBE = "/status 2.3"


@dataclass
class _Chat:
    id: int
    user: User
    # The newest message and event seen in this chat: what the bot says next comes after.
    cursor: int = 0
    seen_event: int = 0


class TelegramDriver:
    """Drives one Telegram emulator and the service behind it."""

    def __init__(self, harness: Harness) -> None:
        self.harness = harness
        self.emu = harness.emu
        self.chats: dict[str, _Chat] = {}

    async def bind(self, who: str, unit: str | None) -> None:
        """Make `who`'s group and bind it through /bind; "mate" joins "unit"'s group."""
        names = {"unit": "王科长", "lead": "李局长", "other": "赵科长", "mate": "刘科员"}
        if who == "mate":
            user = self.emu.add_user(names[who], "mate")
            self.chats[who] = _Chat(self.chats["unit"].id, user)
            return
        if unit == STRANGER:
            stranger = self.harness.private("路人")
            self.chats[who] = _Chat(stranger.id, stranger.user)
            return
        title = f"{unit or '局领导'}工作群"
        # The bot sees every message, as on WeCom: chatter must be left alone on its merits.
        chat = await self.harness.bound(title, names[who], unit, sees_all=True)
        self.chats[who] = _Chat(chat.id, chat.user, self.harness.last_id(chat))

    async def act(self, step: Step) -> None:
        """Do what the step says."""
        if step.does == "at":
            await self.harness.at(instant(step.text))
            return
        if step.does == "restart":
            await self.harness.stop()
            await self.harness.start()
            return
        if not step.does:
            return
        chat = self.chats[step.who]
        chat.seen_event = len(self.emu.events)
        if step.does in ("press", "press_foreign"):
            owner = self.chats[step.to] if step.does == "press_foreign" and step.to else chat
            message, data = self._button(owner, step.text, step.item)
            if owner is chat:
                self.emu.press(chat.id, message["message_id"], data, chat.user)
            else:
                # A forged press: the data of another chat's button, sent from this chat.
                own = self.emu.send(chat.id, chat.user, "占位")
                chat.cursor = max(chat.cursor, own["message_id"])
                self.emu.press(chat.id, own["message_id"], data, chat.user, force=True)
            return
        reply_to = self._reply_target(chat) if step.does in ("answer", "photo") else None
        if step.does == "photo":
            sent = self.emu.send_photo(chat.id, chat.user, reply_to_message_id=reply_to)
        else:
            sent = self.emu.send(chat.id, chat.user, step.text, reply_to)
        chat.cursor = max(chat.cursor, sent["message_id"])

    async def next_text(self, who: str, containing: str) -> str:
        """Wait for the bot's next message, edit or press answer in the chat with the text."""
        chat = self.chats[who]

        def probe() -> tuple[str, int] | None:
            for message in self.emu.bot_messages(chat.id):
                # What a person reads: the text and the buttons' labels (as a WeCom card shows).
                shown = "\n".join([text_of(message), *(b["text"] for b in buttons_of(message))])
                if message["message_id"] > chat.cursor and containing in shown:
                    return text_of(message), message["message_id"]
            for event in self.emu.events[chat.seen_event :]:
                toast = str(event.get("text") or "")
                ours = event["kind"] == "callback_answer" and event["chat_id"] == chat.id
                if ours and containing in toast:
                    return toast, chat.cursor
            return None

        found = await self.emu.state.wait_for(probe, WAIT)
        if found is None:
            said = [text_of(m) for m in self.emu.bot_messages(chat.id)][-3:]
            raise TimeoutError(f"{who} never heard {containing!r}; the chat ends {said!r}")
        text, message_id = found
        chat.cursor = max(chat.cursor, message_id)
        chat.seen_event = len(self.emu.events)
        return text

    async def assert_quiet(self, who: str) -> None:
        """Send a read-only probe; nothing but its answer may have come since `who` acted."""
        chat = self.chats[who]
        since = chat.cursor
        probe = self.emu.send(chat.id, chat.user, PROBE)
        answer = await self.emu.wait_for_bot_message(
            chat.id, lambda m: "2.3" in text_of(m), after=probe["message_id"], timeout=WAIT
        )
        said = [
            text_of(m)
            for m in self.emu.bot_messages(chat.id)
            if since < m["message_id"] < answer["message_id"]
        ]
        said += [
            str(e["text"])
            for e in self.emu.events[chat.seen_event :]
            if e["kind"] == "callback_answer" and e["chat_id"] == chat.id and e.get("text")
        ]
        assert said == [], f"the bot said {said!r} to {who}"
        chat.cursor = answer["message_id"]

    def _bot_messages(self, chat: _Chat) -> list[dict[str, Any]]:
        return self.emu.bot_messages(chat.id)

    def _button(self, chat: _Chat, label: str, item: str | None) -> tuple[dict[str, Any], str]:
        """Return the newest bot message with a button `label` (in `item`'s row) and its data."""
        for message in reversed(self._bot_messages(chat)):
            rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
            for row in rows:
                named = row[0]["text"].startswith(f"{item} ") or any(
                    b["text"] == item for b in row
                )
                if item is not None and not named:
                    continue
                for button in row:
                    if label in button["text"]:
                        return message, button["callback_data"]
        raise AssertionError(f"no button {label!r} (item {item}) in {chat.id}")

    def _reply_target(self, chat: _Chat) -> int | None:
        """Return the newest bot message in the chat that asks for an answer."""
        for event in reversed(self.emu.events):
            if event.get("kind") != "sent" or event.get("chat_id") != chat.id:
                continue
            markup = event.get("requested_markup") or event["message"].get("reply_markup") or {}
            if markup.get("force_reply") or markup.get("inline_keyboard"):
                return int(event["message"]["message_id"])
        return None
