"""Fixtures: a running emulator on loopback and a python-telegram-bot client for it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Bot

from emulator import Emulator
from emulator.model import Chat, User


@pytest.fixture(autouse=True)
def client_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep httpx off any proxy for loopback; opt PTB into timedelta periods.

    Without PTB_TIMEDELTA, PTB 22 warns (PTBDeprecationWarning) while building RetryAfter,
    which filterwarnings=error turns into a failure inside the client.
    """
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    """Serve an emulator on a free loopback port."""
    async with Emulator.running() as emulator:
        yield emulator


@pytest.fixture
def people(emu: Emulator) -> tuple[User, Chat]:
    """A section head and their unit's group chat."""
    head = emu.add_user("王科长", "wang_kz")
    return head, emu.add_group("社区科")


@pytest.fixture
async def bot(emu: Emulator) -> AsyncIterator[Bot]:
    """A python-telegram-bot client talking to the emulator."""
    client = Bot(emu.token, base_url=emu.base_url, base_file_url=emu.base_file_url)
    async with client:
        yield client
