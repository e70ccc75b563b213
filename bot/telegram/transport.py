"""PTB's requests over aiohttp: every Bot API call the bot makes, on one keep-alive pool.

python-telegram-bot sends through a `BaseRequest`; its default is httpx. Per call, httpx's
pool (httpcore over anyio) costs more than everything else a `/status` answer does: it checks
each idle connection with a poll() twice a request, and a pool grows to a connection per chat
answered at once. aiohttp, which the service already runs for the web board and WeCom, takes
a connection from a per-host queue and sends. Measured on the emulator
(`benchmarks/bench_bot.py`), a bare echo bot answers about 1.7 times as many updates a second
on this transport as on httpx.

What httpx gave the bot is kept: the proxy named by HTTPS_PROXY / HTTP_PROXY / ALL_PROXY
unless NO_PROXY exempts the host (read once, when the transport starts), the CA bundle the
caller passes, redirects not followed (a 3xx is an error, never a POST re-sent or turned
into a GET), timeouts per wait rather than per call (a slow download of a 20 MB evidence
file is not cut off while data keeps coming), and PTB's errors: `TimedOut` for a timeout,
`NetworkError` for the rest.

aiohttp has no timeout for a stalled write, so an upload (a multipart call) gets a deadline
instead: its connect, pool and read timeouts plus `media_write_timeout`, as PTB gives
uploads more time to write.
"""

from __future__ import annotations

import ssl
import urllib.request
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput, UploadFileDict
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
        media_write_timeout: float | None = 20.0,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read = read_timeout
        self._write = write_timeout
        self._media_write = media_write_timeout
        self._connect = connect_timeout
        self._pool = pool_timeout
        self._tls = tls
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[str, str] = {}
        self._proxy_of: dict[tuple[str, str], str | None] = {}

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
            self._proxies = _proxies_from_environment()
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
        # PTB builds the fields and the files anew each time it is asked: once a call.
        fields = request_data.json_parameters if request_data is not None else {}
        files = request_data.multipart_data if request_data is not None else {}
        upload = bool(files)
        write = self._media_write if upload else self._write
        timeout = _timeout(
            _given(read_timeout, self._read),
            _given(write_timeout, write),
            _given(connect_timeout, self._connect),
            _given(pool_timeout, self._pool),
            upload,
        )
        try:
            async with self._session.request(
                method,
                url,
                data=_body(fields, files),
                headers={"User-Agent": self.USER_AGENT},
                timeout=timeout,
                proxy=self._proxy(url),
                allow_redirects=False,
            ) as response:
                return response.status, await response.read()
        except TimeoutError as exc:
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {exc}") from exc

    def _proxy(self, url: str) -> str | None:
        parts = urlsplit(url)
        key = (parts.scheme, parts.netloc)
        if key not in self._proxy_of:
            proxy = self._proxies.get(parts.scheme) or self._proxies.get("all")
            if proxy and _bypassed(parts.netloc, self._proxies):
                proxy = None
            self._proxy_of[key] = proxy or None
        return self._proxy_of[key]


def _proxies_from_environment() -> dict[str, str]:
    """Return the environment's proxies by scheme ("all" for ALL_PROXY; "no" is NO_PROXY), a
    bare `host:port` read as http://, as httpx reads it."""
    found = urllib.request.getproxies_environment()
    return {
        scheme: value if scheme == "no" or "://" in value else f"http://{value}"
        for scheme, value in found.items()
    }


def _bypassed(netloc: str, proxies: dict[str, str]) -> bool:
    """Tell whether NO_PROXY (as read at start) exempts a host, with or without its port."""
    # Not in typeshed's stubs; in the standard library since Python 3.0.
    bypass = urllib.request.proxy_bypass_environment  # type: ignore[attr-defined]
    return bool(bypass(netloc, proxies))


def _timeout(
    read: float | None,
    write: float | None,
    connect: float | None,
    pool: float | None,
    upload: bool,
) -> aiohttp.ClientTimeout:
    """Return the call's timeouts: each wait bounded (aiohttp's `connect` covers waiting for
    a pooled connection and opening a new one; `sock_read`, every wait for data), and an
    upload's whole call too (aiohttp cannot bound a single write)."""
    parts = (read, write, connect, pool)
    deadline = sum(p for p in parts if p is not None) if upload and None not in parts else None
    return aiohttp.ClientTimeout(
        total=deadline,
        connect=None if connect is None or pool is None else connect + pool,
        sock_connect=connect,
        sock_read=read,
    )


def _given(value: ODVInput[float], default: float | None) -> float | None:
    return default if isinstance(value, DefaultValue) else value


def _body(fields: dict[str, str], files: UploadFileDict) -> Any:
    """Return the call's parameters as a form; with files, as a multipart form."""
    if not files:
        return fields or None
    form = aiohttp.FormData(quote_fields=False)
    for name, value in fields.items():
        form.add_field(name, value)
    for name, (filename, content, mime_type) in files.items():
        form.add_field(name, content, filename=filename, content_type=mime_type)
    return form
