"""The WeCom API as the stand-in answers it: `{"errcode": 0, "errmsg": "ok", ...}` or an errcode.

Rules enforced (doc numbers of developer.work.weixin.qq.com): a valid access_token (40014
unknown, 42001 expired, 7,200 s); 30 messages a minute to one member and 20 a minute per robot
(45009); recipients must be members (81013); text and app markdown at most 2,048 bytes, robot
markdown 4,096 (90236, 91770); a button_interaction card's limits (task_id ≤128 bytes of
`[0-9A-Za-z_-@]` and unique, ≤6 buttons with keys ≤1,024 bytes, ≤10 options with ids ≤128
bytes); a response_code used once within 72 hours (94945). WeCom truncates long text and shows
long card fields cut; the stand-in refuses them instead (errcode 45002 / 40058), so that a test
sees a silent cut as an error. The card's suggested character counts are refused the same way.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from emulator.wecom.state import (
    MEMBER_PER_MINUTE,
    RESPONSE_CODE_TTL,
    ROBOT_PER_MINUTE,
    TOKEN_TTL,
    AppMessage,
    StoredMedia,
    WeComState,
)

STATE_KEY = web.AppKey("wecom_state", WeComState)
TEXT_MAX_BYTES = 2048
APP_MARKDOWN_MAX_BYTES = 2048
ROBOT_MARKDOWN_MAX_BYTES = 4096
TASK_ID = re.compile(r"[0-9A-Za-z_\-@]{1,128}")
CARD_CHARS = {"title": 36, "desc": 44, "sub_title_text": 160, "button": 10, "option": 16}
MEDIA_MAX_BYTES = {"image": 10 << 20, "voice": 2 << 20, "video": 10 << 20, "file": 20 << 20}


class WeComError(Exception):
    """An answer with a non-zero errcode."""

    def __init__(self, errcode: int, errmsg: str) -> None:
        super().__init__(errmsg)
        self.errcode = errcode
        self.errmsg = errmsg


def _bytes(text: str) -> int:
    return len(text.encode())


def _check_token(state: WeComState, request: web.Request) -> None:
    token = request.query.get("access_token", "")
    expiry = state.tokens.get(token)
    if expiry is None:
        raise WeComError(40014, "invalid access_token")
    if expiry <= state.now():
        raise WeComError(42001, "access_token expired")


async def gettoken(state: WeComState, request: web.Request, body: Any) -> dict[str, Any]:
    """Issue an access_token for the right corp id and secret."""
    if request.query.get("corpid") != state.corp_id:
        raise WeComError(40013, "invalid corpid")
    if request.query.get("corpsecret") != state.secret:
        raise WeComError(40001, "invalid credential")
    token = f"TK{state.take_id():06d}-emulator-token"
    state.tokens[token] = state.now() + TOKEN_TTL
    return {"access_token": token, "expires_in": TOKEN_TTL}


def _check_card(state: WeComState, card: Any, *, fresh_task: bool) -> None:
    if not isinstance(card, dict) or card.get("card_type") != "button_interaction":
        raise WeComError(40058, "template_card: only button_interaction is emulated")
    task_id = card.get("task_id")
    if not isinstance(task_id, str) or not TASK_ID.fullmatch(task_id):
        raise WeComError(40058, "template_card.task_id: 1-128 bytes of [0-9A-Za-z_-@]")
    if fresh_task and task_id in state.task_ids:
        raise WeComError(40058, "template_card.task_id already used by this app")
    title = card.get("main_title") or {}
    if not title.get("title") and not card.get("sub_title_text"):
        raise WeComError(40058, "template_card: main_title.title or sub_title_text required")
    for name, value in (
        ("title", title.get("title", "")),
        ("desc", title.get("desc", "")),
        ("sub_title_text", card.get("sub_title_text", "")),
    ):
        if len(value) > CARD_CHARS[name]:
            raise WeComError(40058, f"template_card.{name} longer than {CARD_CHARS[name]} chars")
    buttons = card.get("button_list") or []
    if not 1 <= len(buttons) <= 6:
        raise WeComError(40058, "template_card.button_list: 1 to 6 buttons")
    keys = [button.get("key", "") for button in buttons]
    if len(set(keys)) != len(keys) or not all(0 < _bytes(key) <= 1024 for key in keys):
        raise WeComError(40058, "template_card.button_list.key: unique, 1-1024 bytes")
    if any(len(button.get("text", "")) > CARD_CHARS["button"] for button in buttons):
        raise WeComError(40058, "template_card.button_list.text longer than 10 chars")
    selection = card.get("button_selection")
    if selection is not None:
        options = selection.get("option_list") or []
        ids = [option.get("id", "") for option in options]
        if not 1 <= len(options) <= 10:
            raise WeComError(40058, "template_card.button_selection: 1 to 10 options")
        if len(set(ids)) != len(ids) or not all(0 < _bytes(i) <= 128 for i in ids):
            raise WeComError(40058, "template_card.button_selection.option_list.id invalid")
        if any(len(option.get("text", "")) > CARD_CHARS["option"] for option in options):
            raise WeComError(40058, "template_card option text longer than 16 chars")
        if not 0 < _bytes(selection.get("question_key", "")) <= 1024:
            raise WeComError(40058, "template_card.button_selection.question_key invalid")


def _check_content(state: WeComState, msgtype: str, content: Any) -> None:
    if not isinstance(content, dict):
        raise WeComError(40008, f"{msgtype} content missing")
    if msgtype == "text":
        if not content.get("content"):
            raise WeComError(44004, "empty text content")
        if _bytes(content["content"]) > TEXT_MAX_BYTES:
            raise WeComError(45002, "text content over 2048 bytes")
    elif msgtype == "markdown":
        if not content.get("content"):
            raise WeComError(44004, "empty markdown content")
        if _bytes(content["content"]) > APP_MARKDOWN_MAX_BYTES:
            raise WeComError(45002, "markdown content over 2048 bytes")
    elif msgtype in ("image", "file"):
        if content.get("media_id") not in state.media:
            raise WeComError(40007, "invalid media_id")
    elif msgtype == "template_card":
        _check_card(state, content, fresh_task=True)
    else:
        raise WeComError(40008, f"msgtype {msgtype} is not emulated")


async def message_send(state: WeComState, request: web.Request, body: Any) -> dict[str, Any]:
    """Deliver an app message to one member (duban sends to one userid at a time)."""
    _check_token(state, request)
    if not isinstance(body, dict):
        raise WeComError(47001, "data format error")
    if body.get("agentid") != state.agent_id:
        raise WeComError(40056, "invalid agentid")
    userids = [u for u in str(body.get("touser", "")).split("|") if u]
    msgtype = str(body.get("msgtype", ""))
    valid = [u for u in userids if u in state.members]
    if not valid:
        raise WeComError(81013, "user & party & tag all invalid")
    content = body.get(msgtype)
    _check_content(state, msgtype, content)
    assert isinstance(content, dict)  # noqa: S101 - _check_content refused anything else
    for userid in valid:
        if not state.within_rate(state.member_sends, userid, MEMBER_PER_MINUTE):
            raise WeComError(45009, "api freq out of limit: 30 messages a minute to one member")
    answer: dict[str, Any] = {"invaliduser": "|".join(u for u in userids if u not in valid)}
    msgid = f"MSG{state.take_id():08d}"
    answer["msgid"] = msgid
    for userid in valid:
        inbox = state.messages.setdefault(userid, [])
        inbox.append(
            AppMessage(len(inbox) + 1, msgid, userid, msgtype, dict(content), state.now())
        )
    if msgtype == "template_card":
        state.task_ids.add(content["task_id"])
        answer["response_code"] = state.issue_response_code(valid[0], msgid)
    state.notify()
    return answer


async def update_template_card(
    state: WeComState, request: web.Request, body: Any
) -> dict[str, Any]:
    """Replace a card (or grey out its buttons) once per response_code, within 72 hours."""
    _check_token(state, request)
    if not isinstance(body, dict) or body.get("agentid") != state.agent_id:
        raise WeComError(40056, "invalid agentid")
    found = state.response_codes.get(str(body.get("response_code", "")))
    if found is None:
        raise WeComError(40058, "invalid response_code")
    if found.used:
        raise WeComError(40058, "response_code already used")
    if state.now() - found.issued_at > RESPONSE_CODE_TTL:
        raise WeComError(40058, "response_code expired (72 hours)")
    message = state.message(found.msgid)
    if message is None or found.userid not in (body.get("userids") or []):
        raise WeComError(81013, "user & party & tag all invalid")
    if "template_card" in body:
        _check_card(state, body["template_card"], fresh_task=False)
        message.content = dict(body["template_card"])
        message.buttons_disabled = None
    elif "button" in body and body["button"].get("replace_name"):
        message.buttons_disabled = str(body["button"]["replace_name"])
    else:
        raise WeComError(40058, "template_card or button.replace_name required")
    found.used = True
    message.updates.append(copy_of(body))
    state.notify()
    return {"invaliduser": []}


def copy_of(body: dict[str, Any]) -> dict[str, Any]:
    """Return a copy of an update without the response_code (it is spent)."""
    return {k: v for k, v in json.loads(json.dumps(body)).items() if k != "response_code"}


async def media_upload(state: WeComState, request: web.Request, body: Any) -> dict[str, Any]:
    """Keep an uploaded file (multipart field `media`) for 3 days' worth of tests."""
    _check_token(state, request)
    kind = request.query.get("type", "")
    if kind not in MEDIA_MAX_BYTES:
        raise WeComError(40005, "invalid media type")
    if not isinstance(body, dict) or "media" not in body:
        raise WeComError(41005, "media data missing")
    filename, content_type, data = body["media"]
    if len(data) <= 5 or len(data) > MEDIA_MAX_BYTES[kind]:
        raise WeComError(40006, "invalid file size")
    media_id = f"MEDIA{state.take_id():06d}"
    state.media[media_id] = StoredMedia(media_id, kind, data, filename, content_type, state.now())
    return {"type": kind, "media_id": media_id, "created_at": str(int(state.now()))}


async def media_get(state: WeComState, request: web.Request, body: Any) -> web.Response:
    """Serve a stored file's bytes, as WeCom does (JSON only on error)."""
    _check_token(state, request)
    found = state.media.get(request.query.get("media_id", ""))
    if found is None:
        raise WeComError(40007, "invalid media_id")
    return web.Response(
        body=found.data,
        content_type=found.content_type,
        headers={"Content-Disposition": f'attachment; filename="{found.filename}"'},
    )


async def webhook_send(state: WeComState, request: web.Request, body: Any) -> dict[str, Any]:
    """Post to a group robot (key in the URL): markdown, text or image; 20 a minute."""
    key = request.query.get("key", "")
    if key not in state.robots:
        raise WeComError(93000, "invalid webhook url")
    if not isinstance(body, dict):
        raise WeComError(47001, "data format error")
    msgtype = body.get("msgtype")
    content = body.get(str(msgtype)) or {}
    if msgtype == "markdown":
        if not content.get("content") or _bytes(content["content"]) > ROBOT_MARKDOWN_MAX_BYTES:
            raise WeComError(40058, "markdown.content: 1-4096 bytes")
    elif msgtype == "text":
        if not content.get("content") or _bytes(content["content"]) > TEXT_MAX_BYTES:
            raise WeComError(40058, "text.content: 1-2048 bytes")
    elif msgtype == "image":
        data = base64.b64decode(content.get("base64", ""))
        if hashlib.md5(data).hexdigest() != content.get("md5") or len(data) > 2 << 20:  # noqa: S324
            raise WeComError(40058, "image: md5 mismatch or over 2MB")
    else:
        raise WeComError(40008, f"robot msgtype {msgtype} is not emulated")
    if not state.within_rate(state.robot_sends, key, ROBOT_PER_MINUTE):
        raise WeComError(45009, "api freq out of limit: 20 messages a minute per robot")
    state.robots[key].append(copy_of(body))
    state.notify()
    return {}


async def user_get(state: WeComState, request: web.Request, body: Any) -> dict[str, Any]:
    """Answer `user/get`: a member's name (60111 for someone who is not a member)."""
    _check_token(state, request)
    userid = request.query.get("userid", "")
    if userid not in state.members:
        raise WeComError(60111, f"userid not found: {userid}")
    return {"userid": userid, "name": state.members[userid]}


Handler = Callable[[WeComState, web.Request, Any], Awaitable[dict[str, Any] | web.Response]]
ROUTES: dict[str, tuple[str, Handler]] = {
    "gettoken": ("GET", gettoken),
    "message/send": ("POST", message_send),
    "message/update_template_card": ("POST", update_template_card),
    "media/upload": ("POST", media_upload),
    "media/get": ("GET", media_get),
    "webhook/send": ("POST", webhook_send),
    "user/get": ("GET", user_get),
}


async def _read_body(request: web.Request) -> Any:
    if request.method != "POST":
        return None
    if request.content_type == "multipart/form-data":
        form = await request.post()
        media = form.get("media")
        if media is None or isinstance(media, str | bytes | bytearray):
            return {}
        # Kept as sent: a percent-encoded name would show encoded in WeCom too.
        return {"media": (media.filename, media.content_type, media.file.read())}
    raw = await request.read()
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        raise WeComError(47001, "data format error") from None


async def handle(request: web.Request) -> web.StreamResponse:
    """Answer one API call, after any injected fault."""
    state = request.app[STATE_KEY]
    path = request.match_info["path"]
    route = ROUTES.get(path)
    if route is None or request.method != route[0]:
        return web.json_response({"errcode": 404, "errmsg": "not found"}, status=404)
    fault = state.take_fault(path)
    if fault == "hang":
        await state.wait_for(lambda: None, state.hang_seconds)
    try:
        body = await _read_body(request)
    except WeComError as error:
        body, fault = None, None
        answer: dict[str, Any] = {"errcode": error.errcode, "errmsg": error.errmsg}
        state.record_call(path, dict(request.query), None, error.errcode, 200)
        return web.json_response(answer)
    shown = {"media": "<file>"} if path == "media/upload" else body
    if fault == "5xx":
        state.record_call(path, dict(request.query), shown, None, 502)
        return web.Response(status=502, text="Bad Gateway")
    try:
        _inject(state, request, path, fault)
        result = await route[1](state, request, body)
    except WeComError as error:
        answer = {"errcode": error.errcode, "errmsg": error.errmsg}
        state.record_call(path, dict(request.query), shown, error.errcode, 200)
        return web.json_response(answer)
    state.record_call(path, dict(request.query), shown, 0, 200)
    if isinstance(result, web.Response):
        return result
    return web.json_response({"errcode": 0, "errmsg": "ok", **result})


def _inject(state: WeComState, request: web.Request, path: str, fault: str | None) -> None:
    """Turn an armed fault into WeCom's answer for it."""
    if fault == "45009":
        raise WeComError(45009, "api freq out of limit")
    if fault == "expired_token" and path not in ("gettoken", "webhook/send"):
        state.tokens.pop(request.query.get("access_token", ""), None)
        raise WeComError(42001, "access_token expired")


def add_api_routes(app: web.Application) -> None:
    """Register /cgi-bin/<path> for the emulated calls."""
    app.router.add_route("*", "/cgi-bin/{path:.+}", handle)
