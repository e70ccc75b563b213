"""`core.channel.Channel` over WeCom: a self-built app to members, and group robots.

`WeComChannel` (name "wecom", address = a member's userid) sends a message with buttons as
template card(s) (`bot/wecom/cards.py`), plain text and markdown split at WeCom's byte limits,
and files and pictures through `media/upload`. `edit` replaces a pressed card once with the
press's ResponseCode (72 hours, single use). `WeComRobot` (name "wecom_robot", address = a
robot's webhook key) posts markdown only: robots cannot be pressed or edited.

The limits are data here (`MEMBER_MESSAGES_PER_MINUTE`, `MESSAGES_PER_MINUTE`) and in
`core.pacing.WECOM`; the API client paces `message/send` per member and `webhook/send` per
robot with a `Pacer` (`WeComConfig.paced`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Final

from bot.wecom.api import MediaType, SendResult, WeComApi, WeComUndeliverable
from bot.wecom.cards import (
    ROBOT_MARKDOWN_MAX_BYTES,
    TEXT_MAX_BYTES,
    Outbound,
    new_task_id,
    parse_ref,
    plan_message,
    recorded_card,
    split_text,
)
from core.channel import Attachment, Channel, OutgoingMessage, send_in_parts

ROBOT_IMAGE_MAX_BYTES: Final = 2 * 1024 * 1024  # a robot's picture, before base64 (doc 91770)


class WeComChannel:
    """A self-built app talking to members one by one (address = userid)."""

    MEMBER_MESSAGES_PER_MINUTE: Final = 30  # per member, per app (doc 90236: 超过部分会被丢弃)

    def __init__(self, api: WeComApi, *, task_ids: Callable[[], str] = new_task_id) -> None:
        self._api = api
        self._task_ids = task_ids

    @property
    def name(self) -> str:
        """Return "wecom"."""
        return "wecom"

    async def _send_one(self, address: str, outbound: Outbound) -> SendResult:
        if outbound.kind == "template_card":
            assert isinstance(outbound.content, dict)  # noqa: S101 - cards are dicts
            return await self._api.send_template_card(address, outbound.content)
        assert isinstance(outbound.content, str)  # noqa: S101 - texts are str
        if outbound.kind == "markdown":
            return await self._api.send_markdown(address, outbound.content)
        return await self._api.send_text(address, outbound.content)

    async def send(self, address: str, message: OutgoingMessage, first_part: int = 0) -> str:
        """Send a message (text parts first, then its cards) from part `first_part` on;
        return a ref for `edit`: the first card's "response_code#task_id" (the send's own
        code, usable once), else the last msgid."""
        refs: list[str] = []

        def part(outbound: Outbound) -> Callable[[], Awaitable[str]]:
            async def send_part() -> str:
                result = await self._send_one(address, outbound)
                if outbound.kind == "template_card" and result.response_code:
                    assert isinstance(outbound.content, dict)  # noqa: S101 - cards are dicts
                    refs.append(f"{result.response_code}#{outbound.content['task_id']}")
                return result.msgid

            return send_part

        planned = plan_message(message, self._task_ids)
        last = await send_in_parts([part(o) for o in planned], first_part)
        return refs[0] if refs else last

    async def edit(self, address: str, ref: str, message: OutgoingMessage) -> None:
        """Replace a card once, using a ResponseCode ("code" or "code#task_id" from `card_ref`).

        Text that does not fit the card goes first as new messages; with buttons, the new
        card may carry them again (a press on it brings a fresh ResponseCode).
        """
        code, task_id = parse_ref(ref)
        if not code:
            raise WeComUndeliverable("企业微信卡片没有可用的 response_code，无法更新")
        if any(message.buttons):
            # The replaced card keeps its task_id; further pages (if any) get fresh ones.
            ids = iter([task_id] if task_id else [])
            planned = plan_message(message, lambda: next(ids, None) or self._task_ids())
            cards = [o for o in planned if o.kind == "template_card"]
            before = [o for o in planned if o.kind != "template_card"]
            first, rest = cards[0], cards[1:]
        else:
            before, card = recorded_card(task_id or self._task_ids(), message)
            first, rest = Outbound("template_card", card), []
        for outbound in before:
            await self._send_one(address, outbound)
        assert isinstance(first.content, dict)  # noqa: S101 - cards are dicts
        await self._api.update_template_card(address, code, first.content)
        for outbound in rest:
            await self._send_one(address, outbound)

    async def send_attachment(self, address: str, attachment: Attachment) -> str:
        """Upload a picture or file, send it, then its caption as text; return the msgid."""
        kind: MediaType = "image" if attachment.picture else "file"
        media_id = await self._api.upload_media(
            kind, attachment.data, attachment.filename, attachment.mime_type
        )
        if attachment.picture:
            result = await self._api.send_image(address, media_id)
        else:
            result = await self._api.send_file(address, media_id)
        for part in split_text(attachment.caption, TEXT_MAX_BYTES):
            await self._api.send_text(address, part)
        return result.msgid


class WeComRobot:
    """A group robot (address = its webhook key): markdown and pictures, not interactive."""

    MESSAGES_PER_MINUTE: Final = 20  # per robot (doc 91770)

    def __init__(self, api: WeComApi) -> None:
        self._api = api
        self._sent = 0

    @property
    def name(self) -> str:
        """Return "wecom_robot"."""
        return "wecom_robot"

    async def send(self, address: str, message: OutgoingMessage, first_part: int = 0) -> str:
        """Post the text as markdown, split at 4,096 bytes; buttons are not shown (read-only)."""
        text = message.text

        def part(markdown: str) -> Callable[[], Awaitable[str]]:
            async def post() -> str:
                await self._api.robot_markdown(address, markdown)
                self._sent += 1
                return f"robot-{self._sent}"

            return post

        parts = split_text(text, ROBOT_MARKDOWN_MAX_BYTES)
        return await send_in_parts([part(p) for p in parts], first_part)

    async def edit(self, address: str, ref: str, message: OutgoingMessage) -> None:
        """Refuse: a robot's messages cannot be changed."""
        raise WeComUndeliverable("群机器人消息发出后不能修改")

    async def send_attachment(self, address: str, attachment: Attachment) -> str:
        """Post a picture (JPG/PNG, at most 2 MB) and its caption; refuse other files."""
        if not attachment.picture:
            raise WeComUndeliverable("群机器人只转发 markdown 和图片，文件请发给成员")
        if len(attachment.data) > ROBOT_IMAGE_MAX_BYTES:
            raise WeComUndeliverable("图片超过群机器人的 2MB 上限")
        await self._api.robot_image(address, attachment.data)
        self._sent += 1
        if attachment.caption:
            return await self.send(address, OutgoingMessage(attachment.caption))
        return f"robot-{self._sent}"


def _conforms(api: WeComApi) -> tuple[Channel, Channel]:
    """Let mypy check that both classes implement `core.channel.Channel` (never called)."""
    return WeComChannel(api), WeComRobot(api)
