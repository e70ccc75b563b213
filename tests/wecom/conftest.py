"""Fixtures: the WeCom stand-in on loopback, a client for it, and the bot's callback server.

- `wecom`: a running `WeComEmulator` with members wang (王科长) and li (李局长).
- `api`: a `WeComApi` for the stand-in's app (short timeout, so a hang fails fast).
- `callback_server`: the bot's `/wecom/callback` on its own loopback port, with a recording
  handler; `wecom.callback_url` points at it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from aiohttp import web

from bot.wecom.api import WeComApi
from bot.wecom.callback import CALLBACK_PATH, WeComCallback
from bot.wecom.crypto import WeComCrypto
from bot.wecom.events import WeComEvent
from emulator.wecom import WeComEmulator


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep loopback traffic off any proxy."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


@pytest.fixture
async def wecom() -> AsyncIterator[WeComEmulator]:
    """Serve the stand-in with two members."""
    async with WeComEmulator.running() as emulator:
        emulator.add_member("wang", "王科长")
        emulator.add_member("li", "李局长")
        yield emulator


@pytest.fixture
async def api(wecom: WeComEmulator) -> AsyncIterator[WeComApi]:
    """A client for the stand-in's app."""
    async with WeComApi(
        wecom.corp_id, wecom.secret, wecom.agent_id, base_url=wecom.base_url, timeout=2.0
    ) as client:
        yield client


@dataclass
class Recorder:
    """A handler that keeps every event and wakes waiters."""

    events: list[WeComEvent] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    async def __call__(self, event: WeComEvent) -> None:
        self.events.append(event)
        self.changed.set()

    async def wait(self, count: int, timeout: float = 5.0) -> list[WeComEvent]:  # noqa: ASYNC109
        async with asyncio.timeout(timeout):
            while len(self.events) < count:
                self.changed.clear()
                await self.changed.wait()
        return list(self.events)


@dataclass
class CallbackServer:
    """The bot's callback endpoint under test."""

    url: str
    callback: WeComCallback
    recorder: Recorder


def bot_crypto(wecom: WeComEmulator) -> WeComCrypto:
    """The bot's crypto for the stand-in's app."""
    return WeComCrypto(wecom.token, wecom.encoding_aes_key, wecom.corp_id)


@pytest.fixture
async def callback_server(wecom: WeComEmulator) -> AsyncIterator[CallbackServer]:
    """Serve the bot's callback on loopback and point the stand-in at it."""
    recorder = Recorder()
    callback = WeComCallback(bot_crypto(wecom), recorder, agent_id=wecom.agent_id)
    app = web.Application()
    callback.attach(app)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}{CALLBACK_PATH}"
    wecom.callback_url = url
    try:
        yield CallbackServer(url, callback, recorder)
    finally:
        await runner.cleanup()
