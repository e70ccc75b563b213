"""PTB's requests over aiohttp: every Bot API call the bot makes, on one keep-alive pool.

python-telegram-bot sends through a `BaseRequest`; its default is httpx. Per call, httpx's
pool (httpcore over anyio) costs more than everything else a `/status` answer does: it scans
each idle connection with a poll() twice a request, and wraps each step in a task group.
aiohttp, which the service already runs for the web board and WeCom, takes a connection from
a per-host queue and sends. Measured on the emulator (`benchmarks/bench_bot.py`), a bare echo
bot answers about 1.7 times as many updates a second on this transport as on httpx.

What httpx gave the bot is kept: the proxy named by HTTPS_PROXY / HTTP_PROXY / ALL_PROXY
unless NO_PROXY exempts the host (read once, when the transport starts), the CA bundle the
caller passes, and PTB's errors: `TimedOut` for a timeout, `NetworkError` for the rest.
"""

from __future__ import annotations

import ssl
import urllib.request
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData


class AiohttpRequest(BaseRequest):
    """A PTB request on an aiohttp session; timeouts in seconds, None for none."""

    def __init__(
        self,
        *,
        connection_pool_size: int = 256,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read = read_timeout
        self._write = write_timeout
        self._connect = connect_timeout
        self._pool = pool_timeout
        self._tls = tls
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[str, str] = {}
        self._proxy_of: dict[str, str | None] = {}

    @property
    def read_timeout(self) -> float | None:
        """The read timeout calls get unless they name their own."""
        return self._read

    async def initialize(self) -> None:
        """Open the session (again, after a shutdown)."""
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                limit=self._pool_size, ssl=self._tls if self._tls is not None else True
            )
            # The Bot API sets no cookies: keep none.
            self._session = aiohttp.ClientSession(
                connector=connector, cookie_jar=aiohttp.DummyCookieJar()
            )
            self._proxies = urllib.request.getproxies_environment()
            self._proxy_of.clear()

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Make one call; return the HTTP status and the body."""
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        timeout = self._timeout(
            _given(read_timeout, self._read),
            _given(write_timeout, self._write),
            _given(connect_timeout, self._connect),
            _given(pool_timeout, self._pool),
        )
        try:
            async with self._session.request(
                method,
                url,
                data=_body(request_data),
                headers={"User-Agent": self.USER_AGENT},
                timeout=timeout,
                proxy=self._proxy(url),
            ) as response:
                return response.status, await response.read()
        except TimeoutError as exc:
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {exc}") from exc

    @staticmethod
    def _timeout(
        read: float | None, write: float | None, connect: float | None, pool: float | None
    ) -> aiohttp.ClientTimeout:
        # aiohttp's `connect` covers waiting for a pooled connection and opening a new one;
        # it has no write timeout, so the whole call gets a ceiling of all four.
        parts = (read, write, connect, pool)
        return aiohttp.ClientTimeout(
            total=None if None in parts else sum(p for p in parts if p is not None),
            connect=None if connect is None or pool is None else connect + pool,
            sock_connect=connect,
            sock_read=read,
        )

    def _proxy(self, url: str) -> str | None:
        host = urlsplit(url).hostname or ""
        if host not in self._proxy_of:
            scheme = urlsplit(url).scheme
            proxy = self._proxies.get(scheme) or self._proxies.get("all")
            if proxy and urllib.request.proxy_bypass(host):
                proxy = None
            self._proxy_of[host] = proxy or None
        return self._proxy_of[host]


def _given(value: ODVInput[float], default: float | None) -> float | None:
    return default if isinstance(value, DefaultValue) else value


def _body(request_data: RequestData | None) -> Any:
    """Return the call's parameters as a form; with files, as a multipart form."""
    if request_data is None:
        return None
    fields = request_data.json_parameters
    files = request_data.multipart_data
    if not files:
        return fields or None
    form = aiohttp.FormData(quote_fields=False)
    for name, value in fields.items():
        form.add_field(name, value)
    for name, (filename, content, mime_type) in files.items():
        form.add_field(name, content, filename=filename, content_type=mime_type)
    return form
