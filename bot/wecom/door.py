"""The WeCom door: callbacks become the dialogue's `Incoming`, one member at a time.

An app talks to members one by one, so each member is a chat of its own (the address is the
userid); a member's messages are handled in the order they came, so "the next message
answers the question" holds even when WeCom delivers several callbacks at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from typing import Literal

from aiohttp import web

from bot.dialogue import Incoming, IncomingFile, Person
from bot.router import Dialogue
from bot.wecom.api import DEFAULT_BASE_URL, WeComApi
from bot.wecom.callback import WeComCallback
from bot.wecom.cards import card_ref, press_from_event
from bot.wecom.channel import WeComChannel, WeComRobot
from bot.wecom.crypto import WeComCrypto
from bot.wecom.events import CardEvent, MediaMessage, OtherEvent, TextMessage, WeComEvent
from core.channel import ChatRef, TryLater, Undeliverable
from core.pacing import WECOM, Pacer

log = logging.getLogger(__name__)

NAME = "wecom"


@dataclass(frozen=True)
class WeComConfig:
    """A self-built app (自建应用): who it is, its secret, and its callback's token and key."""

    corp_id: str
    agent_id: int
    secret: str = field(repr=False)
    token: str = field(repr=False)
    encoding_aes_key: str = field(repr=False)
    api_base_url: str = DEFAULT_BASE_URL
    # Send at WeCom's pace (30 a minute to a member, 20 a minute per robot, spaced evenly);
    # False lifts it (a benchmark measuring the bot itself).
    paced: bool = True


@asynccontextmanager
async def wecom_door(
    config: WeComConfig, dialogue: Dialogue, app: web.Application
) -> AsyncIterator[WeComDoor]:
    """Open the app's API client and add `/wecom/callback` to the service's HTTP app."""
    pacer = Pacer(WECOM) if config.paced else None
    async with WeComApi(
        config.corp_id,
        config.secret,
        config.agent_id,
        base_url=config.api_base_url,
        pacer=pacer,
    ) as api:
        door = WeComDoor(dialogue, api, WeComChannel(api), WeComRobot(api))
        crypto = WeComCrypto(config.token, config.encoding_aes_key, config.corp_id)
        WeComCallback(crypto, door.on_event, agent_id=config.agent_id).attach(app)
        yield door


class WeComDoor:
    """Hands each WeCom callback to the dialogue, with WeCom as the channel to answer through."""

    def __init__(
        self, dialogue: Dialogue, api: WeComApi, channel: WeComChannel, robot: WeComRobot
    ) -> None:
        self.dialogue = dialogue
        self.api = api
        self.channel = channel
        self.robot = robot
        self._turns: dict[str, asyncio.Lock] = {}
        self._names: dict[str, str] = {}

    async def on_event(self, event: WeComEvent) -> None:
        """Handle one callback event after the member's earlier ones."""
        turn = self._turns.setdefault(event.user_id, asyncio.Lock())
        async with turn:
            incoming = await self._incoming(event)
            if incoming is not None:
                await self.dialogue.handle(incoming, self.channel)

    async def _incoming(self, event: WeComEvent) -> Incoming | None:
        person = Person(event.user_id, await self._name(event.user_id))
        base = Incoming(
            chat=ChatRef(NAME, event.user_id),
            person=person,
            private=True,
            key=f"{NAME}:{event.dedupe_key}",
            title=person.name,
        )
        if isinstance(event, TextMessage):
            return replace(base, text=event.content)
        if isinstance(event, CardEvent):
            press, ref = press_from_event(event), card_ref(event)
            return replace(base, event="press", press=press, press_ref=ref)
        if isinstance(event, MediaMessage):
            if event.kind not in ("image", "file"):
                return None
            return replace(base, file=self._file(event))
        if isinstance(event, OtherEvent) and event.event in ("subscribe", "unsubscribe"):
            return replace(base, event="joined" if event.event == "subscribe" else "left")
        return None

    def _file(self, event: MediaMessage) -> IncomingFile:
        media_id = event.media_id

        async def fetch() -> bytes:
            return (await self.api.get_media(media_id)).data

        # WeCom announces neither type nor size: the type follows the name (a picture
        # without one is named .jpg by the core), the size is checked once downloaded.
        kind: Literal["photo", "document"] = "photo" if event.kind == "image" else "document"
        return IncomingFile(media_id, kind, event.file_name, None, None, fetch)

    async def _name(self, userid: str) -> str:
        """Return a member's name as colleagues write it (the userid when unknown)."""
        known = self._names.get(userid)
        if known is not None:
            return known
        try:
            name = await self.api.member_name(userid)
        except (TryLater, Undeliverable) as exc:
            # The app may lack the directory right: the userid is still a name.
            log.info("no name for a member: %s", exc)
            return userid
        self._names[userid] = name
        return name
