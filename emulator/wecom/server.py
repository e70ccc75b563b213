"""The WeCom stand-in: the API on loopback, and members who write and press cards.

Members act by POSTing encrypted, signed callbacks to the bot's callback URL exactly as WeCom
does (XML envelope, msg_signature over token/timestamp/nonce/Encrypt), so the bot under test
runs its real verification, decryption and parsing.
"""

from __future__ import annotations

import ipaddress
import secrets
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

import aiohttp
from aiohttp import web

from emulator.wecom.api import STATE_KEY, add_api_routes
from emulator.wecom.crypto import CallbackCrypto
from emulator.wecom.state import (
    FAULT_KINDS,
    AppMessage,
    CallRecord,
    Fault,
    FaultKind,
    StoredMedia,
    WeComState,
)

DEFAULT_CORP_ID = "ww0000emulatorcorp"
DEFAULT_SECRET = "emulator-secret-not-a-secret"  # noqa: S105 - the stand-in's own fake
DEFAULT_TOKEN = "emulatorToken"  # noqa: S105 - the stand-in's own fake
DEFAULT_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # a public sample key
DEFAULT_AGENT_ID = 1000002
Message = dict[str, Any]
MessagePredicate = Callable[[Message], bool]


class ControlError(Exception):
    """A test asked the stand-in for something impossible (unknown member, no such button)."""


@dataclass(frozen=True)
class CallbackResult:
    """How the bot answered a callback: HTTP status and body."""

    status: int
    body: str


def cdata(value: str) -> str:
    """Return `value` as an XML CDATA section (split where it contains `]]>`)."""
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


class WeComEmulator:
    """One self-built app on a local WeCom; act as members and watch what the app sends."""

    def __init__(
        self,
        *,
        corp_id: str = DEFAULT_CORP_ID,
        secret: str = DEFAULT_SECRET,
        agent_id: int = DEFAULT_AGENT_ID,
        token: str = DEFAULT_TOKEN,
        encoding_aes_key: str = DEFAULT_AES_KEY,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.state = WeComState(corp_id=corp_id, secret=secret, agent_id=agent_id, clock=clock)
        self.crypto = CallbackCrypto(token, encoding_aes_key, corp_id)
        self.encoding_aes_key = encoding_aes_key
        self.callback_url: str | None = None
        self.app = web.Application()
        self.app[STATE_KEY] = self.state
        add_api_routes(self.app)
        self.app.on_shutdown.append(self._release)
        self.base_url = ""
        self._session: aiohttp.ClientSession | None = None

    @property
    def corp_id(self) -> str:
        """The corp id (WECOM_CORP_ID)."""
        return self.state.corp_id

    @property
    def secret(self) -> str:
        """The app secret (WECOM_SECRET) the stand-in accepts."""
        return self.state.secret

    @property
    def agent_id(self) -> int:
        """The app's agent id (WECOM_AGENT_ID)."""
        return self.state.agent_id

    @property
    def token(self) -> str:
        """The callback token (WECOM_TOKEN)."""
        return self.crypto.token

    @classmethod
    @asynccontextmanager
    async def running(
        cls, host: str = "127.0.0.1", port: int = 0, **options: Any
    ) -> AsyncIterator[WeComEmulator]:
        """Serve the stand-in on loopback for the duration of the block."""
        if host != "localhost" and not ipaddress.ip_address(host).is_loopback:
            raise ValueError(f"the stand-in serves loopback only, not {host}")
        emulator = cls(**options)
        runner = web.AppRunner(emulator.app, shutdown_timeout=0.5, access_log=None)
        await runner.setup()
        try:
            site = web.TCPSite(runner, host, port)
            await site.start()
            emulator.base_url = f"http://{host}:{runner.addresses[0][1]}"
            async with aiohttp.ClientSession() as session:
                emulator._session = session
                yield emulator
        finally:
            emulator._session = None
            emulator.state.close()
            await runner.cleanup()

    async def _release(self, app: web.Application) -> None:
        self.state.close()

    # --- the directory ----------------------------------------------------------------

    def add_member(self, userid: str, name: str | None = None) -> str:
        """Add a member the app may message; return the userid."""
        self.state.members[userid] = name or userid
        return userid

    def remove_member(self, userid: str) -> None:
        """Remove a member: later sends to them fail with 81013."""
        self.state.members.pop(userid, None)

    def add_robot(self, key: str | None = None) -> str:
        """Add a group robot; return its webhook key."""
        key = key or f"robot-{secrets.token_hex(4)}"
        self.state.robots.setdefault(key, [])
        return key

    # --- failure injection ------------------------------------------------------------

    def fail(self, kind: FaultKind, times: int = 1, path: str | None = None) -> None:
        """Make the next `times` calls (of `path`, e.g. "message/send") fail as `kind`."""
        if kind not in FAULT_KINDS:
            raise ControlError(f"unknown fault {kind}")
        self.state.faults.append(Fault(kind, times, path))

    def chaos(self, probabilities: dict[FaultKind, float], seed: int = 0) -> None:
        """Fail each call at random with these probabilities (seeded: runs repeat)."""
        import random

        self.state.chaos = dict(probabilities)
        self.state.chaos_random = random.Random(seed)  # noqa: S311 - test chaos, not crypto

    def set_hang(self, seconds: float) -> None:
        """Set how long a "hang" fault holds a call before answering."""
        self.state.hang_seconds = seconds

    def expire_tokens(self) -> None:
        """Expire every issued access_token now (the next call gets 42001)."""
        for token in self.state.tokens:
            self.state.tokens[token] = self.state.now()

    # --- what the app did -------------------------------------------------------------

    def messages(self, userid: str) -> list[Message]:
        """Return every message the app sent a member, as shown now, oldest first."""
        return [m.as_dict() for m in self.state.messages.get(userid, [])]

    def robot_messages(self, key: str) -> list[dict[str, Any]]:
        """Return every message posted through a robot, oldest first."""
        return [dict(m) for m in self.state.robots.get(key, [])]

    def media(self, media_id: str) -> StoredMedia:
        """Return an uploaded file."""
        try:
            return self.state.media[media_id]
        except KeyError:
            raise ControlError(f"no media {media_id}") from None

    @property
    def calls(self) -> list[CallRecord]:
        """Every API call so far, in order (tokens and the secret left out)."""
        return list(self.state.calls)

    def calls_of(self, path: str) -> list[CallRecord]:
        """The calls of one path, e.g. "message/send"."""
        return [call for call in self.state.calls if call.path == path]

    async def wait_for_message(
        self,
        userid: str,
        predicate: MessagePredicate | None = None,
        *,
        after: int = 0,
        timeout: float = 5.0,  # noqa: ASYNC109 - the Telegram emulator's contract
    ) -> Message:
        """Wait until a message to `userid` with index > `after` (as shown now) matches."""

        def probe() -> Message | None:
            for message in self.state.messages.get(userid, [])[after:]:
                shown = message.as_dict()
                if predicate is None or predicate(shown):
                    return shown
            return None

        found = await self.state.wait_for(probe, timeout)
        if found is None:
            raise TimeoutError(
                f"no matching message to {userid} after #{after}: "
                f"{[m.msgtype for m in self.state.messages.get(userid, [])]}"
            )
        return found

    async def wait_for_call(
        self,
        path: str,
        *,
        after: int = 0,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> CallRecord:
        """Wait for a call of `path` with seq > `after`."""

        def probe() -> CallRecord | None:
            return next((c for c in self.state.calls[after:] if c.path == path), None)

        found = await self.state.wait_for(probe, timeout)
        if found is None:
            raise TimeoutError(f"no {path} call after #{after}")
        return found

    # --- acting as members ------------------------------------------------------------

    def callback_request(
        self, plain_xml: str, *, timestamp: int | None = None, nonce: str | None = None
    ) -> tuple[dict[str, str], str]:
        """Return the query and body WeCom would POST for `plain_xml` (for tamper tests)."""
        encrypted = self.crypto.encrypt(plain_xml)
        stamp = str(int(self.state.now()) if timestamp is None else timestamp)
        once = nonce or str(secrets.randbelow(10**9))
        query = {
            "msg_signature": self.crypto.sign(stamp, once, encrypted),
            "timestamp": stamp,
            "nonce": once,
        }
        body = (
            f"<xml><ToUserName>{cdata(self.corp_id)}</ToUserName>"
            f"<Encrypt>{cdata(encrypted)}</Encrypt>"
            f"<AgentID>{cdata(str(self.agent_id))}</AgentID></xml>"
        )
        return query, body

    def verify_request(self, echo: str | None = None) -> tuple[dict[str, str], str]:
        """Return the GET query of WeCom's URL check and the plaintext the bot must echo."""
        plain = echo or str(secrets.randbelow(10**18))
        encrypted = self.crypto.encrypt(plain)
        stamp = str(int(self.state.now()))
        nonce = str(secrets.randbelow(10**9))
        signature = self.crypto.sign(stamp, nonce, encrypted)
        query = {"msg_signature": signature, "timestamp": stamp, "nonce": nonce}
        return {**query, "echostr": encrypted}, plain

    async def post_callback(
        self, query: dict[str, str], body: str, *, method: str = "POST"
    ) -> CallbackResult:
        """POST (or GET) to the bot's callback URL as WeCom does; return the answer."""
        if self.callback_url is None:
            raise ControlError("set emulator.callback_url to the bot's /wecom/callback first")
        if self._session is None:
            raise ControlError("the stand-in is not running")
        async with self._session.request(
            method, self.callback_url, params=query, data=body.encode() if body else None
        ) as response:
            return CallbackResult(response.status, await response.text())

    async def deliver(self, plain_xml: str) -> CallbackResult:
        """Encrypt, sign and POST a plaintext callback XML to the bot."""
        query, body = self.callback_request(plain_xml)
        return await self.post_callback(query, body)

    def _member(self, userid: str) -> None:
        if userid not in self.state.members:
            raise ControlError(f"no member {userid}; add_member() first")

    def _head(self, userid: str, msg_type: str) -> str:
        return (
            f"<ToUserName>{cdata(self.corp_id)}</ToUserName>"
            f"<FromUserName>{cdata(userid)}</FromUserName>"
            f"<CreateTime>{int(self.state.now())}</CreateTime>"
            f"<MsgType>{cdata(msg_type)}</MsgType>"
        )

    async def send_text(self, userid: str, text: str) -> CallbackResult:
        """Write `text` to the app as `userid`."""
        self._member(userid)
        msg_id = str(7_000_000_000_000_000_000 + self.state.take_id())
        xml = (
            f"<xml>{self._head(userid, 'text')}<Content>{cdata(text)}</Content>"
            f"<MsgId>{msg_id}</MsgId><AgentID>{self.agent_id}</AgentID></xml>"
        )
        return await self.deliver(xml)

    async def send_file(
        self,
        userid: str,
        data: bytes,
        name: str,
        content_type: str = "application/octet-stream",
        *,
        picture: bool = False,
    ) -> CallbackResult:
        """Send a file (or, with picture=True, an image) to the app as `userid`."""
        self._member(userid)
        kind = "image" if picture else "file"
        media_id = f"MEDIA{self.state.take_id():06d}"
        self.state.media[media_id] = StoredMedia(
            media_id, kind, data, name, content_type, self.state.now()
        )
        msg_id = str(7_000_000_000_000_000_000 + self.state.take_id())
        extra = (
            f"<PicUrl>{cdata(f'{self.base_url}/pic/{media_id}')}</PicUrl>"
            if picture
            else f"<FileName>{cdata(name)}</FileName>"
        )
        xml = (
            f"<xml>{self._head(userid, kind)}<MediaId>{cdata(media_id)}</MediaId>{extra}"
            f"<MsgId>{msg_id}</MsgId><AgentID>{self.agent_id}</AgentID></xml>"
        )
        return await self.deliver(xml)

    async def press(
        self,
        userid: str,
        card_message: Message | str,
        choice_label: str,
        item: str | None = None,
        *,
        force: bool = False,
    ) -> CallbackResult:
        """Press the button labelled `choice_label` (or the one label ending so) on a card.

        `card_message` is a message dict (from `messages`/`wait_for_message`) or its msgid.
        `item` picks a selection option by its text (a prefix such as "2.3" will do) or id;
        without it the card's default (selected_id, else the first option) is submitted.
        Refuses a button that is not on the card as it is now, unless `force`.
        """
        self._member(userid)
        msgid = card_message if isinstance(card_message, str) else card_message["msgid"]
        message = self._card_message(userid, msgid)
        card = message.content
        listed = card.get("button_list", [])
        exact = [b for b in listed if b.get("text") == choice_label]
        # "✅ 已完成" also finds "2.3 ✅ 已完成" (a one-item card's first label carries the id).
        ending = [b for b in listed if str(b.get("text", "")).endswith(choice_label)]
        button = exact[0] if exact else (ending[0] if len(ending) == 1 else None)
        if button is None and not force:
            labels = [b.get("text") for b in card.get("button_list", [])]
            raise ControlError(f"no button {choice_label!r} on the card; it has {labels}")
        if message.buttons_disabled is not None and not force:
            raise ControlError(f"the card's buttons are greyed out: {message.buttons_disabled}")
        key = button.get("key", "") if button else choice_label
        selected = self._selection(card, item)
        code = self.state.issue_response_code(userid, message.msgid)
        xml = (
            f"<xml>{self._head(userid, 'event')}<Event>{cdata('template_card_event')}</Event>"
            f"<EventKey>{cdata(key)}</EventKey><TaskId>{cdata(card.get('task_id', ''))}</TaskId>"
            f"<CardType>{cdata(card.get('card_type', ''))}</CardType>"
            f"<ResponseCode>{cdata(code)}</ResponseCode><AgentID>{self.agent_id}</AgentID>"
            f"{selected}</xml>"
        )
        return await self.deliver(xml)

    def _card_message(self, userid: str, msgid: str) -> AppMessage:
        for message in self.state.messages.get(userid, []):
            if message.msgid == msgid and message.card is not None:
                return message
        raise ControlError(f"{userid} has no card {msgid}")

    @staticmethod
    def _selection(card: dict[str, Any], item: str | None) -> str:
        selection = card.get("button_selection")
        if not selection:
            if item is not None:
                raise ControlError("the card has no selection list to choose an item from")
            return ""
        options = selection.get("option_list", [])
        if item is None:
            chosen = selection.get("selected_id") or options[0]["id"]
        else:
            match = [o for o in options if o["id"] == item or o["text"].startswith(item)]
            if not match:
                raise ControlError(f"no option {item!r}: {[o['text'] for o in options]}")
            chosen = match[0]["id"]
        return (
            "<SelectedItems><SelectedItem>"
            f"<QuestionKey>{cdata(selection['question_key'])}</QuestionKey>"
            f"<OptionIds><OptionId>{cdata(chosen)}</OptionId></OptionIds>"
            "</SelectedItem></SelectedItems>"
        )

    @staticmethod
    def escape(text: str) -> str:
        """Escape text for an XML element (for hand-built callbacks in tests)."""
        return escape(text)
