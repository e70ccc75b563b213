"""Bot API methods about the bot itself: identity, updates, webhook, commands, chats."""

from __future__ import annotations

import json
import re
from typing import Any

from emulator.errors import ApiError, bad_request
from emulator.messages import bot_chat
from emulator.params import Params
from emulator.state import EmulatorState

MAX_POLL_TIMEOUT = 50.0
COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)


async def get_me(state: EmulatorState, params: Params) -> Any:
    """Describe the bot."""
    data = state.bot.to_api()
    data.update(
        can_join_groups=True,
        can_read_all_group_messages=not state.privacy_mode,
        supports_inline_queries=False,
        can_connect_to_business=False,
        has_main_web_app=False,
    )
    return data


def _confirm(state: EmulatorState, offset: int | None) -> None:
    """Forget updates the bot confirmed by asking for a later offset."""
    if offset is None:
        return
    if offset < 0:
        state.pending = state.pending[offset:]
    else:
        state.pending = [u for u in state.pending if u["update_id"] >= offset]


async def get_updates(state: EmulatorState, params: Params) -> Any:
    """Long-poll for updates, answering as soon as one is pending."""
    if state.webhook.get("url"):
        raise ApiError(
            409,
            "Conflict: can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first",
        )
    allowed = params.obj("allowed_updates")
    if isinstance(allowed, list):
        state.allowed_updates = frozenset(allowed) if allowed else None
        state.pending = [u for u in state.pending if state.is_allowed(_kind(u))]
    _confirm(state, params.integer("offset"))
    limit = min(max(params.integer("limit") or 100, 1), 100)
    timeout = min(max(params.number("timeout") or 0.0, 0.0), MAX_POLL_TIMEOUT)
    state.poll_generation += 1
    generation = state.poll_generation
    state.notify()  # an older long poll of this bot ends with 409, as on Telegram

    if state.shared_polling:
        return await _shared_poll(state, limit, timeout)

    def probe() -> list[dict[str, Any]] | None:
        if generation != state.poll_generation:
            return []  # superseded: stop waiting, answer 409 below
        return state.pending[:limit] or None

    found = await state.wait_for(probe, timeout)
    if generation != state.poll_generation and not state.closing:
        raise ApiError(
            409,
            "Conflict: terminated by other getUpdates request; "
            "make sure that only one bot instance is running",
        )
    return found or []


async def _shared_poll(state: EmulatorState, limit: int, wait: float) -> list[dict[str, Any]]:
    """Hand pending updates to this poller alone (they leave the queue at once)."""
    found = await state.wait_for(lambda: state.pending[:limit] or None, wait)
    taken = list(found or [])
    state.pending = state.pending[len(taken) :]
    return taken


def _kind(update: dict[str, Any]) -> str:
    return next(key for key in update if key != "update_id")


async def set_webhook(state: EmulatorState, params: Params) -> Any:
    """Record a webhook (nothing is delivered to it; the bot under test long-polls)."""
    url = params.text("url") or ""
    if url and not url.startswith("https://"):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    state.webhook = {
        "url": url,
        "secret_token": params.text("secret_token"),
        "max_connections": params.integer("max_connections") or 40,
        "allowed_updates": params.obj("allowed_updates"),
    }
    if params.flag("drop_pending_updates"):
        state.pending.clear()
    return True


async def delete_webhook(state: EmulatorState, params: Params) -> Any:
    """Forget the webhook, optionally dropping pending updates."""
    state.webhook = {}
    if params.flag("drop_pending_updates"):
        state.pending.clear()
    return True


async def get_webhook_info(state: EmulatorState, params: Params) -> Any:
    """Describe the webhook and the number of pending updates."""
    info: dict[str, Any] = {
        "url": state.webhook.get("url", ""),
        "has_custom_certificate": False,
        "pending_update_count": len(state.pending),
    }
    if state.webhook.get("url"):
        info["max_connections"] = state.webhook["max_connections"]
        if state.webhook.get("allowed_updates"):
            info["allowed_updates"] = state.webhook["allowed_updates"]
    return info


def _commands_key(params: Params) -> str:
    scope = params.obj("scope") or {"type": "default"}
    return json.dumps([scope, params.text("language_code") or ""], sort_keys=True)


async def set_my_commands(state: EmulatorState, params: Params) -> Any:
    """Store the command menu for a scope and language."""
    commands = params.obj("commands")
    if not isinstance(commands, list) or len(commands) > 100:
        raise bad_request("can't parse commands JSON object")
    for command in commands:
        name = command.get("command", "") if isinstance(command, dict) else ""
        description = command.get("description", "") if isinstance(command, dict) else ""
        if not COMMAND_NAME.fullmatch(str(name)):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(str(description)) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
    state.commands[_commands_key(params)] = [
        {"command": c["command"], "description": c["description"]} for c in commands
    ]
    return True


async def get_my_commands(state: EmulatorState, params: Params) -> Any:
    """Return the command menu for a scope and language."""
    return state.commands.get(_commands_key(params), [])


async def delete_my_commands(state: EmulatorState, params: Params) -> Any:
    """Remove the command menu for a scope and language."""
    state.commands.pop(_commands_key(params), None)
    return True


async def get_chat(state: EmulatorState, params: Params) -> Any:
    """Describe a chat (ChatFullInfo)."""
    chat = state.chats.get(params.integer("chat_id") or 0)
    if chat is None:
        raise bad_request("chat not found")
    if not chat.bot_is_member and chat.type != "private":
        raise ApiError(403, f"Forbidden: bot was kicked from the {chat.type} chat")
    data = chat.to_api()
    data.update(accent_color_id=0, max_reaction_count=11)
    return data


async def send_chat_action(state: EmulatorState, params: Params) -> Any:
    """Accept a chat action such as "typing"."""
    chat = bot_chat(state, params.values.get("chat_id"))
    action = params.text("action")
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    state.record_event("chat_action", chat.id, action=action)
    return True


async def close(state: EmulatorState, params: Params) -> Any:
    """Accept close (the emulator keeps serving)."""
    return True


async def log_out(state: EmulatorState, params: Params) -> Any:
    """Accept logOut (the emulator keeps serving)."""
    return True
