"""HTTP control endpoints under /_emulator/ so another process (the sandbox) can act as users."""

from __future__ import annotations

import base64
import copy
import json
import random
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from emulator import actions
from emulator.bot_api import STATE_KEY
from emulator.errors import ControlError
from emulator.state import SENDING_METHODS, Chaos, EmulatorState, Fault, Slow

Body = dict[str, Any]
INTEGER_FIELDS = frozenset(
    {"chat_id", "user_id", "message_id", "reply_to_message_id", "id", "by", "times"}
)
Handler = Callable[[EmulatorState, Body], Awaitable[Any]]


async def _users(state: EmulatorState, body: Body) -> Any:
    user = actions.add_user(
        state, body["first_name"], body.get("username"), body.get("id"), body.get("last_name")
    )
    return user.to_api()


async def _chats(state: EmulatorState, body: Body) -> Any:
    user = state.users.get(body["user_id"]) if body.get("user_id") is not None else None
    chat = actions.add_chat(
        state,
        body.get("type", "group"),
        body.get("title"),
        user,
        body.get("id"),
        bool(body.get("bot_is_admin")),
    )
    return chat.to_api()


async def _send(state: EmulatorState, body: Body) -> Any:
    return actions.send_text(
        state, body["chat_id"], body["user_id"], body["text"], body.get("reply_to_message_id")
    )


async def _press(state: EmulatorState, body: Body) -> Any:
    return actions.press(
        state,
        body["chat_id"],
        body["message_id"],
        body["callback_data"],
        body["user_id"],
        bool(body.get("force")),
    )


async def _send_photo(state: EmulatorState, body: Body) -> Any:
    raw = body.get("data_base64")
    data = base64.b64decode(raw) if raw else actions.DEFAULT_PHOTO
    return actions.send_photo(
        state,
        body["chat_id"],
        body["user_id"],
        data,
        body.get("caption"),
        body.get("reply_to_message_id"),
    )


async def _send_document(state: EmulatorState, body: Body) -> Any:
    return actions.send_document(
        state,
        body["chat_id"],
        body["user_id"],
        base64.b64decode(body["data_base64"]),
        body["file_name"],
        body.get("mime_type", "application/octet-stream"),
        body.get("caption"),
        body.get("reply_to_message_id"),
    )


async def _membership(state: EmulatorState, body: Body) -> Any:
    actions.set_bot_membership(state, body["chat_id"], bool(body.get("member")), body.get("by"))
    return True


async def _remove_bot(state: EmulatorState, body: Body) -> Any:
    actions.set_bot_membership(state, body["chat_id"], False, body.get("by"))
    return True


async def _fail(state: EmulatorState, body: Body) -> Any:
    method = body.get("method")
    state.faults.append(
        Fault(
            method.lower() if method else None,
            int(body.get("times", 1)),
            body.get("kind", "429"),
            int(body.get("retry_after", 1)),
        )
    )
    return True


async def _chaos(state: EmulatorState, body: Body) -> Any:
    rate = float(body.get("rate", 0))
    kinds = tuple(body.get("kinds") or ("429", "500", "hang", "hang_after"))
    methods = body.get("methods")
    state.chaos = (
        Chaos(
            rate,
            kinds,
            frozenset(m.lower() for m in methods) if methods else SENDING_METHODS,
            int(body.get("retry_after", 1)),
            float(body.get("hang", 3.0)),
            random.Random(body.get("seed")),  # noqa: S311 - faults, not secrets
        )
        if rate
        else None
    )
    return True


async def _slow(state: EmulatorState, body: Body) -> Any:
    method = body.get("method")
    chat = body.get("chat_id")
    state.slow.append(Slow(float(body["seconds"]), method.lower() if method else None, chat))
    return True


async def _calm(state: EmulatorState, body: Body) -> Any:
    state.faults.clear()
    state.chaos = None
    state.slow.clear()
    return True


async def _events(state: EmulatorState, body: Body) -> Any:
    after = int(body.get("after", 0))
    found = await state.wait_for(
        lambda: state.events[after:] or None, float(body.get("timeout", 0))
    )
    return copy.deepcopy(found or [])


async def _messages(state: EmulatorState, body: Body) -> Any:
    return copy.deepcopy(list(actions.chat_of(state, int(body["chat_id"])).messages.values()))


async def _info(state: EmulatorState, body: Body) -> Any:
    return {
        "bot": state.bot.to_api(),
        "users": [user.to_api() for user in state.users.values()],
        "chats": [chat.to_api() for chat in state.chats.values()],
        "pending_update_count": len(state.pending),
        "call_count": len(state.calls),
    }


ROUTES: dict[str, Handler] = {
    "users": _users,
    "chats": _chats,
    "send": _send,
    "press": _press,
    "send_photo": _send_photo,
    "send_document": _send_document,
    "membership": _membership,
    "remove_bot": _remove_bot,
    "fail": _fail,
    "chaos": _chaos,
    "slow": _slow,
    "calm": _calm,
    "events": _events,
    "messages": _messages,
    "info": _info,
}


async def _read_body(request: web.Request) -> Body:
    """Merge the query string and a JSON body; ids given as text become integers."""
    body: Body = dict(request.query)
    if request.can_read_body and (raw := await request.text()):
        body.update(json.loads(raw))
    for name in INTEGER_FIELDS.intersection(body):
        if isinstance(body[name], str):
            body[name] = int(body[name])
    return body


async def handle_control(request: web.Request) -> web.StreamResponse:
    """Run one control action; the body is JSON (GET: the query string)."""
    handler = ROUTES.get(request.match_info["action"])
    if handler is None:
        return web.json_response({"ok": False, "description": "unknown action"}, status=404)
    try:
        body = await _read_body(request)
        result = await handler(request.app[STATE_KEY], body)
    except (ControlError, KeyError, TypeError, ValueError) as error:
        return web.json_response(
            {"ok": False, "description": f"{type(error).__name__}: {error}"}, status=400
        )
    return web.json_response({"ok": True, "result": result})


def add_control_routes(app: web.Application) -> None:
    """Register /_emulator/<action> (POST or GET)."""
    app.router.add_route("*", "/_emulator/{action}", handle_control)
