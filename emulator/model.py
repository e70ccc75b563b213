"""Users and chats known to the emulator, and their Bot API JSON forms."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

ChatType = Literal["private", "group", "supergroup"]

# A command is "/" + up to 32 letters, digits or underscores, optionally "@botname".
COMMAND_RE = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,64})?")


def utf16_len(text: str) -> int:
    """Return the length of `text` in UTF-16 code units, the unit of entity offsets."""
    return len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True)
class User:
    """A Telegram user (or the bot itself)."""

    id: int
    first_name: str
    username: str | None = None
    last_name: str | None = None
    is_bot: bool = False
    language_code: str | None = None

    def to_api(self) -> dict[str, Any]:
        """Return the Bot API `User` object."""
        data: dict[str, Any] = {
            "id": self.id,
            "is_bot": self.is_bot,
            "first_name": self.first_name,
        }
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data


@dataclass
class Chat:
    """A chat the bot may talk in, with its message history."""

    id: int
    type: ChatType
    title: str | None = None
    user: User | None = None
    bot_is_member: bool = True
    bot_is_admin: bool = False
    next_message_id: int = 1
    messages: dict[int, dict[str, Any]] = field(default_factory=dict)

    def to_api(self) -> dict[str, Any]:
        """Return the Bot API `Chat` object embedded in messages."""
        data: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.type == "private" and self.user is not None:
            data["first_name"] = self.user.first_name
            if self.user.last_name:
                data["last_name"] = self.user.last_name
            if self.user.username:
                data["username"] = self.user.username
        else:
            data["title"] = self.title or ""
        return data

    def take_message_id(self) -> int:
        """Allocate the next message id of this chat (ids increase per chat)."""
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id


def command_entities(text: str) -> list[dict[str, Any]]:
    """Return the `bot_command` entity Telegram puts on a message starting with a command."""
    match = COMMAND_RE.match(text)
    if match is None:
        return []
    end = match.end()
    if end < len(text) and not text[end].isspace():
        return []
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(match.group())}]
