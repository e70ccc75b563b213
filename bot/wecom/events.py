"""Typed events from WeCom's callback XML, parsed with defusedxml (it comes from the internet).

Formats (developer.work.weixin.qq.com): the envelope `<xml><ToUserName/><Encrypt/><AgentID/></xml>`
(91144); messages text / image / voice / video / location / link (90239, 96467: text carries
Content and a 64-bit MsgId); the 模板卡片事件 `template_card_event` with EventKey, TaskId,
CardType, ResponseCode and SelectedItems/SelectedItem/{QuestionKey, OptionIds/OptionId} (90240).
WeCom's receive-message page lists no `file` type; third-party code sees `MsgType=file` with
MediaId and FileName, so a file is parsed the same way as an image when it comes.

Everything else (enter_agent, location, subscribe …) becomes `OtherEvent`, which the dialogue
may ignore. Parsing never logs the body.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

MAX_XML_BYTES = 64 * 1024
MediaKind = Literal["image", "file", "voice", "video"]
MEDIA_KINDS: frozenset[str] = frozenset({"image", "file", "voice", "video"})


class MalformedCallback(ValueError):
    """The XML is not WeCom's shape (or not XML, or tries DTD/entity tricks)."""


@dataclass(frozen=True, slots=True)
class Envelope:
    """The outer, signed XML of a POST: the ciphertext and whom it claims to be for."""

    encrypt: str
    to_user_name: str | None
    agent_id: str | None


@dataclass(frozen=True, slots=True)
class TextMessage:
    """A member typed text to the app."""

    user_id: str
    content: str
    msg_id: str
    create_time: int
    agent_id: int | None = None

    @property
    def dedupe_key(self) -> str:
        """Return the key that identifies this message across WeCom's retries."""
        return f"msg:{self.msg_id}"


@dataclass(frozen=True, slots=True)
class MediaMessage:
    """A member sent a picture or a file (evidence); fetch it with `media/get` within 3 days."""

    user_id: str
    kind: MediaKind
    media_id: str
    msg_id: str
    create_time: int
    file_name: str | None = None
    pic_url: str | None = None
    agent_id: int | None = None

    @property
    def dedupe_key(self) -> str:
        """Return MsgId, or user + CreateTime + MediaId when a file came without one."""
        if self.msg_id:
            return f"msg:{self.msg_id}"
        return f"media:{self.user_id}:{self.create_time}:{self.media_id}"


@dataclass(frozen=True, slots=True)
class SelectedItem:
    """One answered question of a card: its question_key and the chosen option ids."""

    question_key: str
    option_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CardEvent:
    """A member pressed a button on a template card (`template_card_event`)."""

    user_id: str
    event_key: str
    task_id: str
    card_type: str
    response_code: str
    create_time: int
    selected: tuple[SelectedItem, ...] = ()
    agent_id: int | None = None

    @property
    def dedupe_key(self) -> str:
        """Return user + CreateTime + task + key: card events carry no MsgId."""
        return f"card:{self.user_id}:{self.create_time}:{self.task_id}:{self.event_key}"

    def options(self, question_key: str) -> tuple[str, ...]:
        """Return the option ids chosen for one question (empty when not answered)."""
        for item in self.selected:
            if item.question_key == question_key:
                return item.option_ids
        return ()


@dataclass(frozen=True, slots=True)
class OtherEvent:
    """Any other message or event (enter_agent, location, voice …); safe to ignore."""

    user_id: str
    msg_type: str
    event: str | None
    create_time: int
    msg_id: str | None = None
    event_key: str | None = None

    @property
    def dedupe_key(self) -> str:
        """Return MsgId when there is one, else user + CreateTime + event + key."""
        if self.msg_id:
            return f"msg:{self.msg_id}"
        return f"event:{self.user_id}:{self.create_time}:{self.event}:{self.event_key}"


WeComEvent = TextMessage | MediaMessage | CardEvent | OtherEvent


def _parse(xml: str | bytes) -> Element:
    raw = xml.encode() if isinstance(xml, str) else xml
    if len(raw) > MAX_XML_BYTES:
        raise MalformedCallback("callback XML is too large")
    try:
        root = fromstring(raw, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (ParseError, DefusedXmlException, ValueError) as exc:
        raise MalformedCallback(f"not acceptable XML ({type(exc).__name__})") from None
    if root.tag != "xml":
        raise MalformedCallback("the root element is not <xml>")
    return root


def _text(root: Element, name: str) -> str | None:
    node = root.find(name)
    if node is None:
        return None
    return (node.text or "").strip()


def _required(root: Element, name: str) -> str:
    value = _text(root, name)
    if not value:
        raise MalformedCallback(f"<{name}> is missing")
    return value


def _integer(root: Element, name: str, required: bool) -> int | None:
    value = _text(root, name)
    if not value:
        if required:
            raise MalformedCallback(f"<{name}> is missing")
        return None
    if not value.isdigit():
        raise MalformedCallback(f"<{name}> is not a number")
    return int(value)


def parse_envelope(body: bytes) -> Envelope:
    """Return the Encrypt text of a POST body (the only part read before the signature check)."""
    root = _parse(body)
    return Envelope(_required(root, "Encrypt"), _text(root, "ToUserName"), _text(root, "AgentID"))


def _selected_items(root: Element) -> tuple[SelectedItem, ...]:
    items = []
    for node in root.findall("SelectedItems/SelectedItem"):
        key = _required(node, "QuestionKey")
        options = tuple(
            (option.text or "").strip() for option in node.findall("OptionIds/OptionId")
        )
        items.append(SelectedItem(key, tuple(option for option in options if option)))
    return tuple(items)


def parse_event(xml: str | bytes) -> WeComEvent:
    """Return the typed event of a decrypted callback; raise MalformedCallback otherwise."""
    root = _parse(xml)
    user_id = _required(root, "FromUserName")
    msg_type = _required(root, "MsgType")
    create_time = _integer(root, "CreateTime", required=True)
    assert create_time is not None  # noqa: S101 - required=True returns a value or raises
    agent_id = _integer(root, "AgentID", required=False)
    if msg_type == "text":
        return TextMessage(
            user_id,
            _text(root, "Content") or "",
            _required(root, "MsgId"),
            create_time,
            agent_id,
        )
    if msg_type in MEDIA_KINDS:
        kind: MediaKind = msg_type  # type: ignore[assignment]  # narrowed by MEDIA_KINDS
        return MediaMessage(
            user_id,
            kind,
            _required(root, "MediaId"),
            _text(root, "MsgId") or "",
            create_time,
            file_name=_text(root, "FileName") or _text(root, "Title") or None,
            pic_url=_text(root, "PicUrl") or None,
            agent_id=agent_id,
        )
    event = _text(root, "Event")
    if msg_type == "event" and event == "template_card_event":
        return CardEvent(
            user_id,
            _required(root, "EventKey"),
            _required(root, "TaskId"),
            _text(root, "CardType") or "",
            _required(root, "ResponseCode"),
            create_time,
            _selected_items(root),
            agent_id,
        )
    return OtherEvent(
        user_id,
        msg_type,
        event,
        create_time,
        _text(root, "MsgId") or None,
        _text(root, "EventKey") or None,
    )


def to_user_name(xml: str | bytes) -> str | None:
    """Return the decrypted message's ToUserName (the corp id it was sent to)."""
    return _text(_parse(xml), "ToUserName")
