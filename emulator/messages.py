"""Build and validate Message objects the way Telegram does."""

from __future__ import annotations

import copy
from typing import Any

from emulator.errors import ApiError, bad_request
from emulator.model import Chat, User
from emulator.state import EmulatorState

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
TEXT_BUTTONS = "Text buttons are unallowed in the inline keyboard"
OTHER_BUTTON_ACTIONS = frozenset(
    {
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "web_app",
        "login_url",
        "copy_text",
        "pay",
        "callback_game",
    }
)


def bot_chat(state: EmulatorState, chat_id: Any) -> Chat:
    """Return the chat a bot call targets, refusing unknown chats and ones it may not write to."""
    try:
        chat = state.chats.get(int(chat_id))
    except (TypeError, ValueError):
        chat = None
    if chat is None:
        raise bad_request("chat not found")
    if not chat.bot_is_member:
        if chat.type == "private":
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        raise ApiError(403, f"Forbidden: bot was kicked from the {chat.type} chat")
    if chat.type == "private" and not chat.messages:
        raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
    return chat


def check_text(text: str, limit: int = MAX_TEXT) -> None:
    """Refuse empty text and text over Telegram's length limit."""
    if not text.strip():
        raise bad_request("message text is empty")
    if len(text) > limit:
        raise bad_request("message is too long")


def inline_keyboard(raw: Any) -> dict[str, Any] | None:
    """Validate a reply_markup; return the inline keyboard a message keeps, if any."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in raw:
        # Reply keyboards, ForceReply and ReplyKeyboardRemove are accepted but not echoed back.
        return None
    rows = raw["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request("can't parse inline keyboard: rows must be arrays of buttons")
    for row in rows:
        for button in row:
            check_button(button)
    if not any(rows):
        return None
    return {"inline_keyboard": copy.deepcopy(rows)}


def check_button(button: Any) -> None:
    """Refuse an inline button Telegram would refuse (no text, no action, data over 64 bytes)."""
    if not isinstance(button, dict) or not button.get("text"):
        raise bad_request(f"can't parse inline keyboard button: {TEXT_BUTTONS}")
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA:
            raise bad_request("BUTTON_DATA_INVALID")
    elif "url" in button:
        if not isinstance(button["url"], str) or "://" not in button["url"]:
            raise bad_request("BUTTON_URL_INVALID")
    elif not OTHER_BUTTON_ACTIONS.intersection(button):
        raise bad_request(f"can't parse inline keyboard button: {TEXT_BUTTONS}")


def find_reply_target(
    chat: Chat, message_id: int | None, allow_missing: bool
) -> dict[str, Any] | None:
    """Return the message being replied to, refusing a missing one unless allowed."""
    if message_id is None:
        return None
    target = chat.messages.get(message_id)
    if target is None and not allow_missing:
        raise bad_request("message to be replied not found")
    return target


def new_message(
    state: EmulatorState,
    chat: Chat,
    sender: User,
    content: dict[str, Any],
    reply_to: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Store a complete Message in `chat` and return it (message ids increase per chat)."""
    message: dict[str, Any] = {
        "message_id": chat.take_message_id(),
        "from": sender.to_api(),
        "chat": chat.to_api(),
        "date": state.now(),
    }
    if reply_to is not None:
        quoted = copy.deepcopy(reply_to)
        quoted.pop("reply_to_message", None)
        message["reply_to_message"] = quoted
    message.update({key: value for key, value in content.items() if value not in (None, [])})
    chat.messages[message["message_id"]] = message
    return message


def public_copy(message: dict[str, Any]) -> dict[str, Any]:
    """Return a deep copy safe to hand to a caller."""
    return copy.deepcopy(message)
