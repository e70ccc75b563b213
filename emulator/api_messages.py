"""Bot API methods that send and edit text messages and answer button presses."""

from __future__ import annotations

from typing import Any

from emulator.errors import bad_request
from emulator.formatting import parse_formatted
from emulator.messages import (
    bot_chat,
    check_text,
    find_reply_target,
    inline_keyboard,
    new_message,
    public_copy,
)
from emulator.model import Chat
from emulator.params import Params
from emulator.state import EmulatorState


def reply_target(chat: Chat, params: Params) -> dict[str, Any] | None:
    """Resolve reply_parameters or the older reply_to_message_id."""
    reply = params.obj("reply_parameters")
    if isinstance(reply, dict):
        message_id = reply.get("message_id")
        allow = bool(reply.get("allow_sending_without_reply"))
        return find_reply_target(chat, int(message_id) if message_id else None, allow)
    return find_reply_target(
        chat, params.integer("reply_to_message_id"), params.flag("allow_sending_without_reply")
    )


async def send_message(state: EmulatorState, params: Params) -> Any:
    """Send a text message from the bot."""
    chat = bot_chat(state, params.values.get("chat_id"))
    raw = params.text("text") or ""
    check_text(raw)
    text, entities = parse_formatted(raw, params.text("parse_mode"))
    check_text(text)
    markup = inline_keyboard(params.obj("reply_markup"))
    target = reply_target(chat, params)
    given = params.obj("entities")
    content: dict[str, Any] = {
        "text": text,
        "entities": given if isinstance(given, list) and not entities else entities,
        "reply_markup": markup,
    }
    preview = params.obj("link_preview_options")
    if isinstance(preview, dict) and preview:
        content["link_preview_options"] = preview
    message = new_message(state, chat, state.bot, content, target)
    state.record_event(
        "sent",
        chat.id,
        message=message,
        disable_notification=params.flag("disable_notification"),
        # Reply keyboards and ForceReply are not part of the Message; watchers still see them.
        requested_markup=params.obj("reply_markup"),
    )
    return public_copy(message)


def _editable(state: EmulatorState, params: Params) -> tuple[Chat, dict[str, Any]]:
    if params.has("inline_message_id"):
        raise bad_request("MESSAGE_ID_INVALID")
    chat = bot_chat(state, params.values.get("chat_id"))
    message = chat.messages.get(params.integer("message_id") or 0)
    if message is None:
        raise bad_request("message to edit not found")
    if message["from"]["id"] != state.bot.id:
        raise bad_request("message can't be edited")
    return chat, message


def _apply_edit(
    state: EmulatorState, chat: Chat, message: dict[str, Any], changes: dict[str, Any]
) -> Any:
    current = {key: message.get(key) for key in changes}
    wanted = {key: value if value not in ([], None) else None for key, value in changes.items()}
    if current == wanted:
        raise bad_request(
            "message is not modified: specified new message content and reply markup are "
            "exactly the same as a current content and reply markup of the message"
        )
    for key, value in wanted.items():
        if value is None:
            message.pop(key, None)
        else:
            message[key] = value
    message["edit_date"] = state.now()
    state.record_event("edited", chat.id, message=message)
    return public_copy(message)


async def edit_message_text(state: EmulatorState, params: Params) -> Any:
    """Replace a bot message's text; no reply_markup removes the keyboard, as on Telegram."""
    chat, message = _editable(state, params)
    raw = params.text("text") or ""
    check_text(raw)
    text, entities = parse_formatted(raw, params.text("parse_mode"))
    check_text(text)
    if "text" not in message:
        raise bad_request("there is no text in the message to edit")
    changes = {
        "text": text,
        "entities": entities,
        "reply_markup": inline_keyboard(params.obj("reply_markup")),
    }
    return _apply_edit(state, chat, message, changes)


async def edit_message_reply_markup(state: EmulatorState, params: Params) -> Any:
    """Replace or remove a bot message's inline keyboard."""
    chat, message = _editable(state, params)
    changes = {"reply_markup": inline_keyboard(params.obj("reply_markup"))}
    return _apply_edit(state, chat, message, changes)


async def answer_callback_query(state: EmulatorState, params: Params) -> Any:
    """Record the bot's answer to a button press (only once, like Telegram)."""
    query = state.callback_queries.get(params.text("callback_query_id") or "")
    if query is None or query.answer is not None:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    text = params.text("text")
    if text is not None and len(text) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    query.answer = {
        "text": text,
        "show_alert": params.flag("show_alert"),
        "url": params.text("url"),
        "cache_time": params.integer("cache_time") or 0,
    }
    state.record_event("callback_answer", query.chat_id, query_id=query.id, **query.answer)
    return True


async def delete_message(state: EmulatorState, params: Params) -> Any:
    """Delete a message: the bot's own anywhere, others' only where the bot is an admin."""
    chat = bot_chat(state, params.values.get("chat_id"))
    message = chat.messages.get(params.integer("message_id") or 0)
    if message is None:
        raise bad_request("message to delete not found")
    own = message["from"]["id"] == state.bot.id
    if not own and chat.type != "private" and not chat.bot_is_admin:
        raise bad_request("message can't be deleted")
    del chat.messages[message["message_id"]]
    state.record_event("deleted", chat.id, message_id=message["message_id"])
    return True
