"""Route /bot<TOKEN>/<method> and /file/bot<TOKEN>/<path> to the emulated methods."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from emulator import api_core, api_media, api_messages
from emulator.errors import ApiError
from emulator.model import Chat
from emulator.params import Params, read_params
from emulator.state import EmulatorState

Method = Callable[[EmulatorState, Params], Awaitable[Any]]

METHODS: dict[str, Method] = {
    "getme": api_core.get_me,
    "getupdates": api_core.get_updates,
    "setwebhook": api_core.set_webhook,
    "deletewebhook": api_core.delete_webhook,
    "getwebhookinfo": api_core.get_webhook_info,
    "setmycommands": api_core.set_my_commands,
    "getmycommands": api_core.get_my_commands,
    "deletemycommands": api_core.delete_my_commands,
    "getchat": api_core.get_chat,
    "sendchataction": api_core.send_chat_action,
    "close": api_core.close,
    "logout": api_core.log_out,
    "sendmessage": api_messages.send_message,
    "editmessagetext": api_messages.edit_message_text,
    "editmessagereplymarkup": api_messages.edit_message_reply_markup,
    "answercallbackquery": api_messages.answer_callback_query,
    "deletemessage": api_messages.delete_message,
    "sendphoto": api_media.send_photo,
    "senddocument": api_media.send_document,
    "getfile": api_media.get_file,
}

STATE_KEY = web.AppKey("emulator_state", EmulatorState)
# The calls that put a message in a chat: the ones Telegram's flood limits count.
SENDS = frozenset({"sendmessage", "sendphoto", "senddocument"})


def _drop(request: web.Request) -> web.Response:
    """Cut the connection without an answer, as a flaky network would."""
    if request.transport is not None:
        request.transport.close()
    # aiohttp gives up writing to a closed transport quietly; raising here would log a traceback.
    return web.Response(status=204)


def _error_response(error: ApiError) -> web.Response:
    return web.json_response(error.body(), status=error.code)


def _logged_params(params: Params) -> dict[str, Any]:
    logged = dict(params.values)
    for name, upload in params.uploads.items():
        logged[name] = {"filename": upload.filename, "size": len(upload.data)}
    return logged


async def handle_method(request: web.Request) -> web.StreamResponse:
    """Answer one Bot API call with Telegram's JSON envelope."""
    state = request.app[STATE_KEY]
    if request.match_info["token"] != state.token:
        return _error_response(ApiError(401, "Unauthorized"))
    name = request.match_info["method"]
    method = METHODS.get(name.lower())
    if method is None:
        return _error_response(ApiError(404, "Not Found"))
    try:
        params = await read_params(request)
    except ApiError as error:
        state.record_call(name, {}, error.body())
        return _error_response(error)
    delay = state.delay_of(name, params.values.get("chat_id"))
    if delay:
        await asyncio.sleep(delay)
    fault = state.take_fault(name)
    if fault is not None and fault.kind == "hang":
        # Slow before taking effect; then the call goes through.
        await asyncio.sleep(state.chaos.hang if state.chaos else 3.0)
        fault = None
    if fault is not None and fault.kind in ("429", "500", "drop"):
        if fault.kind == "drop":
            dropped = {"ok": False, "description": "connection dropped"}
            state.record_call(name, _logged_params(params), dropped)
            return _drop(request)
        injected = (
            ApiError(
                429,
                f"Too Many Requests: retry after {fault.retry_after}",
                {"retry_after": fault.retry_after},
            )
            if fault.kind == "429"
            else ApiError(500, "Internal Server Error")
        )
        state.record_call(name, _logged_params(params), injected.body())
        return _error_response(injected)
    flooded = _flood_chat(state, name, params)
    if flooded is not None and state.flood is not None:
        retry = state.flood.retry_after(flooded.id, flooded.type == "private")
        if retry is not None:
            refused = ApiError(
                429, f"Too Many Requests: retry after {retry}", {"retry_after": retry}
            )
            state.record_call(name, _logged_params(params), refused.body())
            return _error_response(refused)
    try:
        body = {"ok": True, "result": await method(state, params)}
    except ApiError as error:
        body = error.body()
    if flooded is not None and state.flood is not None and body["ok"]:
        state.flood.record(flooded.id, flooded.type == "private")
    state.record_call(name, _logged_params(params), body)
    if fault is not None and fault.kind == "hang_after":
        # Took effect; the answer comes late.
        await asyncio.sleep(state.chaos.hang if state.chaos else 3.0)
    elif fault is not None:  # drop_after: the call took effect but the answer is lost
        return _drop(request)
    return web.json_response(body, status=body.get("error_code", 200))


def _flood_chat(state: EmulatorState, name: str, params: Params) -> Chat | None:
    """Return the chat a send goes to when flood limits are on (None: not counted)."""
    if state.flood is None or name.lower() not in SENDS:
        return None
    try:
        return state.chats.get(int(params.values.get("chat_id", "")))
    except (TypeError, ValueError):
        return None  # the method itself answers "chat not found"


async def handle_file(request: web.Request) -> web.StreamResponse:
    """Serve a stored file's bytes at its file_path."""
    state = request.app[STATE_KEY]
    if request.match_info["token"] != state.token:
        return _error_response(ApiError(401, "Unauthorized"))
    path = request.match_info["path"]
    for stored in state.files.values():
        if stored.file_path == path:
            return web.Response(
                body=stored.data, content_type=stored.mime_type or "application/octet-stream"
            )
    return _error_response(ApiError(404, "Not Found"))


def add_bot_routes(app: web.Application) -> None:
    """Register the Bot API and file routes."""
    app.router.add_route("*", "/bot{token}/{method}", handle_method)
    app.router.add_get("/file/bot{token}/{path:.+}", handle_file)
