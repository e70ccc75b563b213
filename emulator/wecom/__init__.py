"""A local WeCom (企业微信) stand-in (aiohttp, loopback only) for tests and the sandbox."""

from __future__ import annotations

from emulator.wecom.server import CallbackResult, ControlError, WeComEmulator

__all__ = ["CallbackResult", "ControlError", "WeComEmulator"]
