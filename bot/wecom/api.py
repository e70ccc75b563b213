"""An async client for WeCom's REST API (the calls duban makes), on aiohttp.

- `gettoken` (doc 91039): the access_token is cached until `expires_in` (less a margin) and
  shared by concurrent callers; errcode 40014 / 42001 / 42009 (invalid or expired token) drops it,
  fetches a new one and retries the call once.
- `message/send` (90236), `message/update_template_card` (94888/94945), `media/upload` (90253,
  multipart field `media`), `media/get` (90254), and the group robot's `webhook/send` (91770).

With a `pacer`, `message/send` goes at most 30 a minute to a member and `webhook/send` 20 a
minute per robot, spaced evenly and in order; a rate refusal anyway holds that member or robot
for the minute.

Errors (global codes, doc 90455) become the core's delivery errors; their text names the call and
the errcode, never a URL (it holds the token or the robot key), the secret or the token:

- `WeComTryLater` (a `TryLater`): -1 系统繁忙, 6000 数据版本冲突, 45009 接口调用超过限制,
  45011, 45033 接口并发调用超过限制, a token that is refused again after one refresh, HTTP 5xx,
  429, a timeout, a dropped connection, a body that is not JSON.
- `WeComUndeliverable` (an `Undeliverable`), never retried: 81013 (every recipient invalid or
  out of the app's visible range), 60020 (calling IP not trusted), 60111 (no such UserID), 40003
  (invalid UserID), 40001 / 40013 (secret / CorpID wrong: `WeComConfigError`), and any other
  non-zero errcode — an unknown code is treated as permanent so that a row is never retried
  forever; its errcode is in the text for the admin.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
import time
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from types import TracebackType
from typing import Any, Final, Literal
from urllib.parse import quote

import aiohttp

from core.channel import TryLater, Undeliverable
from core.pacing import ChatKind, Pacer

DEFAULT_BASE_URL: Final = "https://qyapi.weixin.qq.com"
TOKEN_ERRORS: Final = frozenset({40014, 42001, 42009})
RATE_ERRORS: Final = frozenset({45009, 45011, 45033})
BUSY_ERRORS: Final = frozenset({-1, 6000})
CONFIG_ERRORS: Final = frozenset({40001, 40013})
RATE_WAIT: Final = timedelta(seconds=60)  # WeCom's limits are per minute
BUSY_WAIT: Final = timedelta(seconds=5)
ERROR_HINTS: Final[Mapping[int, str]] = {
    -1: "系统繁忙",
    6000: "数据版本冲突",
    40001: "Secret 不正确（WECOM_SECRET）",
    40003: "无效的 UserID",
    40013: "CorpID 不正确（WECOM_CORP_ID）",
    40014: "access_token 无效",
    42001: "access_token 已过期",
    42009: "access_token 已过期",
    45009: "接口调用超过频率限制",
    45033: "接口并发调用超过限制",
    60020: "服务器出口 IP 不在应用的企业可信 IP 中",
    60111: "UserID 不存在",
    81013: "接收人全部无效或不在应用可见范围内",
}
MediaType = Literal["image", "voice", "video", "file"]
log = logging.getLogger("duban.wecom.api")


class WeComTryLater(TryLater):
    """WeCom could not take the call now (rate, busy, network); `errcode` when it said one."""

    def __init__(self, reason: str, after: timedelta | None = None, errcode: int | None = None):
        super().__init__(reason, after)
        self.errcode = errcode


class WeComUndeliverable(Undeliverable):
    """WeCom refused the call for good; `errcode` is its code."""

    def __init__(self, reason: str, errcode: int | None = None) -> None:
        super().__init__(reason)
        self.errcode = errcode


class WeComConfigError(WeComUndeliverable):
    """The corp id or the secret is wrong: nothing will go through until the admin fixes it."""


def describe(call: str, errcode: int, errmsg: str) -> str:
    """Return an admin-readable sentence for an errcode (WeCom's errmsg without its hint)."""
    hint = ERROR_HINTS.get(errcode) or errmsg.split(",", 1)[0].strip()[:80]
    return f"企业微信 {call} 失败：errcode {errcode}（{hint}）"


def classify(call: str, errcode: int, errmsg: str) -> Exception:
    """Return the delivery error for a non-zero errcode (token codes are handled before)."""
    text = describe(call, errcode, errmsg)
    if errcode in RATE_ERRORS:
        return WeComTryLater(text, RATE_WAIT, errcode)
    if errcode in BUSY_ERRORS or errcode in TOKEN_ERRORS:
        return WeComTryLater(text, BUSY_WAIT, errcode)
    if errcode in CONFIG_ERRORS:
        return WeComConfigError(text, errcode)
    return WeComUndeliverable(text, errcode)


@dataclass(frozen=True, slots=True)
class SendResult:
    """What `message/send` answered: the msgid, and a response_code for a card."""

    msgid: str
    response_code: str | None = None


@dataclass(frozen=True, slots=True)
class Media:
    """A downloaded media file."""

    data: bytes
    filename: str | None
    content_type: str


class _TokenRejected(Exception):
    """The call said the token is invalid or expired (40014 / 42001 / 42009)."""


class WeComApi:
    """One self-built app: its token, and the calls duban makes with it."""

    def __init__(
        self,
        corp_id: str,
        secret: str,
        agent_id: int,
        *,
        base_url: str = DEFAULT_BASE_URL,
        session: aiohttp.ClientSession | None = None,
        timeout: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
        token_margin: float = 300.0,
        pacer: Pacer | None = None,
    ) -> None:
        self.corp_id = corp_id
        self._secret = secret
        self.agent_id = agent_id
        self.base_url = base_url.rstrip("/")
        self._session = session
        self._owns_session = session is None
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._clock = clock
        self._margin = token_margin
        self._token: str | None = None
        self._token_until = 0.0
        self._token_lock = asyncio.Lock()
        self.token_fetches = 0
        # Paces message/send per member and webhook/send per robot (None: not paced).
        self.pacer = pacer

    def __repr__(self) -> str:
        return f"WeComApi(corp_id={self.corp_id!r}, agent_id={self.agent_id}, secret=***)"

    async def __aenter__(self) -> WeComApi:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the HTTP session if this client made it."""
        if self._owns_session and self._session is not None:
            await self._session.close()
            self._session = None

    @property
    def session(self) -> aiohttp.ClientSession:
        """Return the HTTP session, making one on first use."""
        if self._session is None:
            self._session = aiohttp.ClientSession()
        return self._session

    # --- the access token -----------------------------------------------------------------

    async def access_token(self) -> str:
        """Return a valid access_token, fetching one when none is cached or it expired."""
        async with self._token_lock:
            if self._token is not None and self._clock() < self._token_until:
                return self._token
            answer = await self._request(
                "gettoken",
                "GET",
                "/cgi-bin/gettoken",
                params={"corpid": self.corp_id, "corpsecret": self._secret},
            )
            token = answer.get("access_token")
            if not isinstance(token, str) or not token:
                raise WeComTryLater("企业微信 gettoken 没有返回 access_token", BUSY_WAIT)
            expires_in = float(answer.get("expires_in") or 7200)
            self._token = token
            self._token_until = self._clock() + max(expires_in - self._margin, expires_in / 2)
            self.token_fetches += 1
            return token

    def forget_token(self, token: str | None = None) -> None:
        """Drop the cached token (only if it is still `token`, when given)."""
        if token is None or token == self._token:
            self._token = None

    async def _with_token(
        self,
        call: str,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, str] | None = None,
        form: Callable[[], aiohttp.MultipartWriter] | None = None,
        raw: bool = False,
    ) -> Any:
        """Make a call with the token; on a token error refresh once and retry once."""
        for attempt in (1, 2):
            token = await self.access_token()
            try:
                return await self._request(
                    call,
                    method,
                    path,
                    params={**(params or {}), "access_token": token},
                    json=json,
                    # A fresh form per attempt: aiohttp consumes a FormData once it is sent.
                    data=form() if form is not None else None,
                    raw=raw,
                )
            except _TokenRejected as rejected:
                self.forget_token(token)
                if attempt == 2:
                    raise WeComTryLater(
                        describe(call, int(str(rejected)), "access_token rejected twice"),
                        BUSY_WAIT,
                        int(str(rejected)),
                    ) from None
        raise AssertionError("unreachable")  # pragma: no cover

    # --- HTTP -----------------------------------------------------------------------------

    async def _request(
        self,
        call: str,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        data: aiohttp.MultipartWriter | None = None,
        raw: bool = False,
        url: str | None = None,
    ) -> Any:
        target = url or f"{self.base_url}{path}"
        try:
            async with self.session.request(
                method, target, params=params, json=json, data=data, timeout=self._timeout
            ) as response:
                if response.status == 429 or response.status >= 500:
                    raise WeComTryLater(
                        f"企业微信 {call} 暂不可用：HTTP {response.status}", BUSY_WAIT
                    )
                content_type = response.headers.get("Content-Type", "")
                if raw and "json" not in content_type and "text/plain" not in content_type:
                    return Media(
                        await response.read(),
                        _filename(response.headers.get("Content-Disposition", "")),
                        content_type or "application/octet-stream",
                    )
                if response.status >= 400:
                    raise WeComUndeliverable(f"企业微信 {call} 被拒绝：HTTP {response.status}")
                try:
                    answer = await response.json(content_type=None)
                except ValueError:
                    raise WeComTryLater(f"企业微信 {call} 的应答不是 JSON", BUSY_WAIT) from None
        except TimeoutError:
            raise WeComTryLater(f"企业微信 {call} 超时", BUSY_WAIT) from None
        except aiohttp.ClientError as exc:
            # str(exc) may hold the URL with the token or the robot key: name the class only.
            reason = f"企业微信 {call} 网络错误：{type(exc).__name__}"
            raise WeComTryLater(reason, BUSY_WAIT) from None
        if not isinstance(answer, dict):
            raise WeComTryLater(f"企业微信 {call} 的应答格式不对", BUSY_WAIT)
        errcode = int(answer.get("errcode") or 0)
        if errcode in TOKEN_ERRORS and call != "gettoken":
            raise _TokenRejected(str(errcode))
        if errcode:
            error = classify(call, errcode, str(answer.get("errmsg") or ""))
            log.warning("%s", error)
            raise error
        return answer

    # --- messages -------------------------------------------------------------------------

    async def send(self, userid: str, msgtype: str, content: Mapping[str, Any]) -> SendResult:
        """Send one app message of `msgtype` to a member; return its msgid (and response_code)."""
        body = {"touser": userid, "msgtype": msgtype, "agentid": self.agent_id, msgtype: content}
        async with self._turn(("member", userid), "private"):
            answer = await self._with_token(
                "message/send", "POST", "/cgi-bin/message/send", json=body
            )
        if answer.get("invaliduser"):
            # A partial failure: WeCom accepted the call but not this recipient.
            raise WeComUndeliverable(
                "企业微信 message/send：接收人无效或不在应用可见范围内", 81013
            )
        return SendResult(str(answer.get("msgid") or ""), answer.get("response_code") or None)

    async def send_text(self, userid: str, text: str) -> SendResult:
        """Send a text message (at most 2,048 bytes: split before)."""
        return await self.send(userid, "text", {"content": text})

    async def send_markdown(self, userid: str, text: str) -> SendResult:
        """Send a markdown message (at most 2,048 bytes for an app message: split before)."""
        return await self.send(userid, "markdown", {"content": text})

    async def send_template_card(self, userid: str, card: Mapping[str, Any]) -> SendResult:
        """Send a template card; the result carries the card's first response_code."""
        return await self.send(userid, "template_card", card)

    async def send_image(self, userid: str, media_id: str) -> SendResult:
        """Send an uploaded picture."""
        return await self.send(userid, "image", {"media_id": media_id})

    async def send_file(self, userid: str, media_id: str) -> SendResult:
        """Send an uploaded file."""
        return await self.send(userid, "file", {"media_id": media_id})

    async def update_template_card(
        self,
        userid: str,
        response_code: str,
        card: Mapping[str, Any] | None = None,
        replace_name: str | None = None,
    ) -> None:
        """Replace a card once with `response_code` (valid 72 hours, single use).

        Give `card` for a new card, or `replace_name` to grey its buttons out with that text.
        """
        body: dict[str, Any] = {
            "userids": [userid],
            "agentid": self.agent_id,
            "response_code": response_code,
        }
        if card is not None:
            body["template_card"] = card
        elif replace_name is not None:
            body["button"] = {"replace_name": replace_name}
        else:
            raise ValueError("give a card or a replace_name")
        await self._with_token(
            "message/update_template_card",
            "POST",
            "/cgi-bin/message/update_template_card",
            json=body,
        )

    # --- media ----------------------------------------------------------------------------

    async def upload_media(
        self, kind: MediaType, data: bytes, filename: str, content_type: str
    ) -> str:
        """Upload a temporary media file (valid 3 days); return its media_id."""

        def form() -> aiohttp.MultipartWriter:
            # WeCom's form (doc 90253): name="media"; filename="…"; filelength=N, the name in
            # plain UTF-8 — aiohttp's FormData would percent-encode a Chinese file name.
            writer = aiohttp.MultipartWriter("form-data")
            part = writer.append(data, {"Content-Type": content_type})
            safe = filename.replace('"', "").replace("\r", "").replace("\n", "")
            part.headers["Content-Disposition"] = (
                f'form-data; name="media"; filename="{safe}"; filelength={len(data)}'
            )
            return writer

        answer = await self._with_token(
            "media/upload",
            "POST",
            "/cgi-bin/media/upload",
            params={"type": kind},
            form=form,
        )
        media_id = answer.get("media_id")
        if not isinstance(media_id, str) or not media_id:
            raise WeComTryLater("企业微信 media/upload 没有返回 media_id", BUSY_WAIT)
        return media_id

    async def get_media(self, media_id: str) -> Media:
        """Download a member's media file (a picture or file sent as evidence)."""
        found = await self._with_token(
            "media/get", "GET", "/cgi-bin/media/get", params={"media_id": media_id}, raw=True
        )
        if not isinstance(found, Media):
            raise WeComUndeliverable("企业微信 media/get 没有返回文件")
        return found

    # --- group robots ---------------------------------------------------------------------

    def robot_url(self, key_or_url: str) -> str:
        """Return a robot's webhook URL from its key (or the full URL as given)."""
        if key_or_url.startswith(("http://", "https://")):
            return key_or_url
        return f"{self.base_url}/cgi-bin/webhook/send?key={quote(key_or_url, safe='')}"

    async def member_name(self, userid: str) -> str:
        """Return a member's name from the directory (`user/get`)."""
        answer = await self._with_token(
            "user/get", "GET", "/cgi-bin/user/get", params={"userid": userid}
        )
        name = answer.get("name")
        return name if isinstance(name, str) and name else userid

    async def robot_send(self, key_or_url: str, body: Mapping[str, Any]) -> None:
        """Post one message to a group robot's webhook (no token: the key is the credential)."""
        async with self._turn(("robot", key_or_url), "group"):
            await self._request(
                "webhook/send", "POST", "", json=body, url=self.robot_url(key_or_url)
            )

    @asynccontextmanager
    async def _turn(self, chat: tuple[str, str], kind: ChatKind) -> AsyncIterator[None]:
        """Wait for the chat's turn at WeCom's pace; a rate refusal anyway holds the chat."""
        if self.pacer is None:
            yield
            return
        try:
            async with self.pacer.slot(chat, kind):
                yield
        except WeComTryLater as exc:
            if exc.errcode in RATE_ERRORS and exc.after is not None:
                self.pacer.hold(exc.after.total_seconds(), chat)
            raise

    async def robot_markdown(self, key_or_url: str, text: str) -> None:
        """Post markdown (at most 4,096 bytes) to a group robot."""
        await self.robot_send(key_or_url, {"msgtype": "markdown", "markdown": {"content": text}})

    async def robot_image(self, key_or_url: str, data: bytes) -> None:
        """Post a JPG/PNG picture (at most 2 MB) to a group robot."""
        image = {"base64": base64.b64encode(data).decode(), "md5": hashlib.md5(data).hexdigest()}  # noqa: S324
        await self.robot_send(key_or_url, {"msgtype": "image", "image": image})


def _filename(disposition: str) -> str | None:
    for part in disposition.split(";"):
        name, _, value = part.strip().partition("=")
        if name.lower() == "filename" and value:
            return value.strip('"')
    return None
