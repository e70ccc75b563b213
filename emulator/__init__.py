"""A local Telegram Bot API emulator (aiohttp, loopback only) for tests and the sandbox."""

from __future__ import annotations

from emulator.server import Emulator

__all__ = ["Emulator"]
