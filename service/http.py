"""The service's HTTP server: the WeCom callback (`/wecom/callback`) and the web board (`/`),
on one host and port (DUBAN_HTTP_HOST, DUBAN_HTTP_PORT; port 0 takes a free one)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from plan_data.errors import DubanError

if TYPE_CHECKING:
    from aiohttp import web


@dataclass(frozen=True)
class HttpConfig:
    """Where the service listens for HTTP."""

    host: str = "127.0.0.1"
    port: int = 8080

    @property
    def url(self) -> str:
        """Return the base URL as seen from this machine."""
        return f"http://{self.host}:{self.port}"


class CannotListen(DubanError):
    """The HTTP port is taken or not ours to open."""


@asynccontextmanager
async def listening(config: HttpConfig, app: web.Application) -> AsyncIterator[str]:
    """Serve `app` on the configured host and port until the block ends; yield the URL."""
    from aiohttp import web  # only a service with a callback or the board serves HTTP

    runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
    await runner.setup()
    try:
        site = web.TCPSite(runner, config.host, config.port)
        try:
            await site.start()
        except OSError as exc:
            raise CannotListen(
                f"cannot listen on {config.host}:{config.port}: {exc.strerror or exc}"
                " (set DUBAN_HTTP_HOST / DUBAN_HTTP_PORT)"
            ) from exc
        port = config.port
        if port == 0:
            port = int(runner.addresses[0][1])
        yield f"http://{config.host}:{port}"
    finally:
        await runner.cleanup()
