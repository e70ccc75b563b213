"""What users do in the emulated Telegram: write, reply, press, send files, remove the bot."""

from __future__ import annotations

from typing import Any

from emulator.api_media import document_object, photo_sizes
from emulator.errors import ControlError
from emulator.messages import new_message, public_copy
from emulator.model import Chat, ChatType, User, command_entities
from emulator.state import CallbackQuery, EmulatorState

# A 1×1 JPEG-ish payload: the emulator never decodes images, tests only need bytes.
DEFAULT_PHOTO = b"\xff\xd8\xff\xe0emulator-photo\xff\xd9"


def add_user(
    state: EmulatorState,
    first_name: str,
    username: str | None = None,
    user_id: int | None = None,
    last_name: str | None = None,
    language_code: str | None = "zh-hans",
) -> User:
    """Create a user (ids start at 1001 unless given)."""
    number = user_id if user_id is not None else 1000 + len(state.users) + 1
    if number in state.users:
        raise ControlError(f"user {number} already exists")
    user = User(number, first_name, username, last_name, language_code=language_code)
    state.users[number] = user
    return user


def add_chat(
    state: EmulatorState,
    chat_type: ChatType,
    title: str | None = None,
    user: User | None = None,
    chat_id: int | None = None,
    bot_is_admin: bool = False,
) -> Chat:
    """Create a private chat with `user`, or a group or supergroup called `title`."""
    if chat_type == "private":
        if user is None:
            raise ControlError("a private chat needs its user")
        number = user.id
    else:
        base = -1_000_000_000_000 if chat_type == "supergroup" else -100
        number = chat_id if chat_id is not None else base - len(state.chats) - 1
    if number in state.chats:
        raise ControlError(f"chat {number} already exists")
    chat = Chat(number, chat_type, title=title, user=user, bot_is_admin=bot_is_admin)
    state.chats[number] = chat
    return chat


def chat_of(state: EmulatorState, chat_id: int) -> Chat:
    """Return a known chat or complain."""
    chat = state.chats.get(chat_id)
    if chat is None:
        raise ControlError(f"no chat {chat_id}")
    return chat


def _user_of(state: EmulatorState, user: User | int) -> User:
    number = user if isinstance(user, int) else user.id
    if number not in state.users:
        raise ControlError(f"no user {number}")
    return state.users[number]


def _bot_sees(state: EmulatorState, chat: Chat, message: dict[str, Any]) -> bool:
    """Apply group privacy mode: commands, replies to the bot and mentions only."""
    if not chat.bot_is_member:
        return False
    if chat.type == "private" or not state.privacy_mode or chat.bot_is_admin:
        return True
    text: str = message.get("text") or message.get("caption") or ""
    name = (state.bot.username or "").lower()
    for entity in message.get("entities", []):
        if entity["type"] == "bot_command":
            command = text[entity["offset"] : entity["offset"] + entity["length"]]
            return "@" not in command or command.split("@", 1)[1].lower() == name
    replied = message.get("reply_to_message")
    if replied is not None and replied["from"]["id"] == state.bot.id:
        return True
    return bool(name) and f"@{name}" in text.lower()


def post(
    state: EmulatorState,
    chat_id: int,
    user: User | int,
    content: dict[str, Any],
    reply_to_message_id: int | None = None,
) -> dict[str, Any]:
    """Store a user's message and queue it for the bot if the bot would see it."""
    chat = chat_of(state, chat_id)
    sender = _user_of(state, user)
    target = None
    if reply_to_message_id is not None:
        target = chat.messages.get(reply_to_message_id)
        if target is None:
            raise ControlError(f"no message {reply_to_message_id} in chat {chat_id}")
    message = new_message(state, chat, sender, content, target)
    delivered = _bot_sees(state, chat, message)
    if delivered:
        state.queue_update("message", message)
    state.record_event("user_message", chat.id, message=message, delivered=delivered)
    return public_copy(message)


def send_text(
    state: EmulatorState,
    chat_id: int,
    user: User | int,
    text: str,
    reply_to_message_id: int | None = None,
) -> dict[str, Any]:
    """A user writes `text`; a leading command gets its bot_command entity."""
    if not text:
        raise ControlError("a message needs text")
    content = {"text": text, "entities": command_entities(text)}
    return post(state, chat_id, user, content, reply_to_message_id)


def send_photo(
    state: EmulatorState,
    chat_id: int,
    user: User | int,
    data: bytes = DEFAULT_PHOTO,
    caption: str | None = None,
    reply_to_message_id: int | None = None,
) -> dict[str, Any]:
    """A user sends a photo (two PhotoSizes, like Telegram's thumbnail and full size)."""
    content = {"photo": photo_sizes(state, data), "caption": caption}
    return post(state, chat_id, user, content, reply_to_message_id)


def send_document(
    state: EmulatorState,
    chat_id: int,
    user: User | int,
    data: bytes,
    file_name: str,
    mime_type: str = "application/octet-stream",
    caption: str | None = None,
    reply_to_message_id: int | None = None,
) -> dict[str, Any]:
    """A user sends a file."""
    stored = state.store_file(data, "documents", file_name, mime_type)
    content = {"document": document_object(stored), "caption": caption}
    return post(state, chat_id, user, content, reply_to_message_id)


def press(
    state: EmulatorState,
    chat_id: int,
    message_id: int,
    callback_data: str,
    user: User | int,
    force: bool = False,
) -> str:
    """A user presses an inline button; returns the callback query id."""
    chat = chat_of(state, chat_id)
    sender = _user_of(state, user)
    message = chat.messages.get(message_id)
    if message is None:
        raise ControlError(f"no message {message_id} in chat {chat_id}")
    buttons = [
        button.get("callback_data")
        for row in message.get("reply_markup", {}).get("inline_keyboard", [])
        for button in row
    ]
    if callback_data not in buttons and not force:
        raise ControlError(f"message {message_id} has no button {callback_data!r}: {buttons}")
    query_id = str(4_000_000_000 + state.take_id())
    state.callback_queries[query_id] = CallbackQuery(
        query_id, chat_id, message_id, callback_data, sender.id
    )
    if chat.bot_is_member:
        payload = {
            "id": query_id,
            "from": sender.to_api(),
            "message": message,
            "chat_instance": str(abs(chat.id) * 7 + 3),
            "data": callback_data,
        }
        state.queue_update("callback_query", payload)
    state.record_event(
        "press", chat.id, query_id=query_id, message_id=message_id, data=callback_data
    )
    return query_id


def set_bot_membership(
    state: EmulatorState, chat_id: int, member: bool, by: User | int | None = None
) -> None:
    """Remove the bot from a chat (or block it) or bring it back; the bot gets my_chat_member."""
    chat = chat_of(state, chat_id)
    if chat.bot_is_member == member:
        return
    if by is not None:
        actor = _user_of(state, by)
    else:
        actor = chat.user or next(iter(state.users.values()), state.bot)
    old = {"status": "member", "user": state.bot.to_api()}
    new: dict[str, Any] = {"status": "kicked", "user": state.bot.to_api(), "until_date": 0}
    if member:
        old, new = {**new}, {**old}
    chat.bot_is_member = member
    state.queue_update(
        "my_chat_member",
        {
            "chat": chat.to_api(),
            "from": actor.to_api(),
            "date": state.now(),
            "old_chat_member": old,
            "new_chat_member": new,
        },
    )
    state.record_event("membership", chat.id, member=member)
